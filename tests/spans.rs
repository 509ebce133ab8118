//! Every call runs in a tracing span naming its method and id.
//!
//! Its own test binary, with one test: tracing caches per-callsite interest
//! process-wide, and a test running concurrently without a subscriber could
//! make this one's thread-local subscriber miss the span.

mod common;

/// Records the spans the dispatcher opens, with their fields.
#[derive(Clone, Default)]
struct SpanLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SpanLog {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={:?}", field.name(), value));
            }
        }
        let mut fields = Fields(attrs.metadata().name().to_owned());
        attrs.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

#[tokio::test]
async fn every_call_runs_in_a_span_naming_method_and_id() {
    use tracing_subscriber::layer::SubscriberExt;
    let log = SpanLog::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(log.clone()));
    // In-process, so the calls run on this thread, under this subscriber.
    let client = common::ProbeClient::in_process(common::ProbeServer::new(common::ProbeImpl::default()).into_server());
    client.sum(1, 2).await.unwrap();
    client.log("x".into()).await.unwrap();
    let spans = log.0.lock().unwrap().clone();
    assert!(spans.iter().any(|s| s.starts_with("rpc method=\"sum\" id=1")), "{spans:?}");
    assert!(spans.iter().any(|s| s == "rpc method=\"log\""), "{spans:?}");
}
