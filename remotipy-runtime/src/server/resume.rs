//! Where a resumable stream resumes: the `Last-Event-ID` of the request
//! (the id of the last item its caller received), read by the call (to
//! check the ids) and by the handler (to continue after it).

use super::context::Context;
use crate::protocol::{ErrorObject, code};
use crate::tracked::EventId;

/// Where a resumable stream's caller resumes from: the id in its
/// `Last-Event-ID`, if it sent one; `Err` when it does not parse as `I`.
pub(crate) fn resume_point<I: EventId>(method: &str) -> Result<Option<I>, ErrorObject> {
    let Some(context) = Context::current() else { return Ok(None) };
    let Some(raw) = context.last_event_id() else { return Ok(None) };
    raw.trim().parse().map(Some).map_err(|_| {
        ErrorObject::new(code::CANNOT_RESUME, format!("`{method}` cannot resume after `{raw}`: no item has that id"))
    })
}

/// A stream whose items carry no ids cannot resume: a caller asking to
/// (with `Last-Event-ID`) is told so rather than sent the stream anew.
pub(crate) fn refuse_resume(method: &str) -> Result<(), ErrorObject> {
    match Context::current().and_then(|context| context.last_event_id().map(str::to_owned)) {
        None => Ok(()),
        Some(raw) => Err(ErrorObject::new(
            code::CANNOT_RESUME,
            format!("`{method}` cannot resume after `{raw}`: its items carry no ids"),
        )),
    }
}

/// Where a handler's resumable stream resumes: the id of the last item the
/// reconnecting caller received (its `Last-Event-ID`), to continue after
/// it; `None` for a stream started afresh. Read inside the streaming
/// method's implementation.
pub fn resume_after<I: EventId>() -> Option<I> {
    Context::current()?.last_event_id()?.trim().parse().ok()
}
