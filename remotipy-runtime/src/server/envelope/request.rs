//! What parsing a request object gives: the request, borrowed from the
//! body, or why it was refused.

use std::borrow::Cow;

use crate::protocol::ErrorObject;
use crate::server::service::Params;

/// One request object of a call or batch, borrowed from the body.
pub(crate) struct Request<'a> {
    pub method: Cow<'a, str>,
    pub params: Params<'a>,
    /// The id as encoded (echoed back verbatim); `None` for a notification.
    pub id: Option<&'a [u8]>,
}

/// Why a request object was refused, and its id (encoded) when that could be read.
pub(crate) type Rejection = (ErrorObject, Option<Vec<u8>>);
