//! The example page: calls the example server through the generated
//! clients and lists the answers (`index.html` shows them). The server's
//! address comes from the page's `?server=` (default: the example's).

#![cfg(target_arch = "wasm32")]

#[path = "../../api/mod.rs"]
pub mod api;
#[cfg(feature = "by-hand")]
mod by_hand;

use wasm_bindgen::prelude::*;

use api::UserInfo;

#[wasm_bindgen(start)]
pub async fn start() {
    let document = web_sys::window().and_then(|window| window.document()).expect("a page");
    let server = server(&document);
    set_text(&document, "server", &server);
    let status = match answers(&server, |line| add_answer(&document, line)).await {
        Ok(()) => "done".to_owned(),
        Err(error) => format!("failed: {error}"),
    };
    set_text(&document, "status", &status);
}

fn ada() -> UserInfo {
    UserInfo { first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@example.org".into() }
}

/// Each call and its answer, as a line.
#[cfg(not(feature = "by-hand"))]
async fn answers(server: &str, mut show: impl FnMut(&str)) -> Result<(), Box<dyn std::error::Error>> {
    use futures_util::TryStreamExt;
    let users = api::UsersClient::new(server)?;
    let calc = api::CalculatorClient::new(server)?;
    show(&format!("greet: {}", users.greet(ada()).await?.message));
    show(&format!("find(1): {}", users.find(1).await?.email));
    show(&format!("find(7): {}", refusal(users.find(7).await)));
    show(&format!("add(40, 2): {}", calc.add(40, 2).await?));
    show(&format!("divide(1, 0): {}", refusal(calc.divide(1.0, 0.0).await)));
    let ticks: Vec<u64> = calc.ticks(3, 10).await?.try_collect().await?;
    show(&format!("ticks(3): {ticks:?}"));
    Ok(())
}

#[cfg(feature = "by-hand")]
use by_hand::answers;

/// The error a call was expected to end with, as the page shows it.
fn refusal<T: std::fmt::Debug, E: std::fmt::Display>(answer: Result<T, E>) -> String {
    match answer {
        Err(error) => error.to_string(),
        Ok(value) => format!("unexpectedly answered {value:?}"),
    }
}

fn server(document: &web_sys::Document) -> String {
    let search = document.location().and_then(|location| location.search().ok()).unwrap_or_default();
    let given = search.trim_start_matches('?').split('&').find_map(|pair| pair.strip_prefix("server="));
    let decoded = |value: &str| decode_uri_component(value).unwrap_or_else(|_| value.to_owned());
    given.map_or_else(|| "http://127.0.0.1:3000/rpc".to_owned(), decoded)
}

#[wasm_bindgen]
extern "C" {
    /// JavaScript's own, for the query's `%3A`s.
    #[wasm_bindgen(catch, js_name = decodeURIComponent)]
    fn decode_uri_component(value: &str) -> Result<String, JsValue>;
}

fn set_text(document: &web_sys::Document, id: &str, text: &str) {
    if let Some(element) = document.get_element_by_id(id) {
        element.set_text_content(Some(text));
    }
}

fn add_answer(document: &web_sys::Document, line: &str) {
    let (Some(list), Ok(item)) = (document.get_element_by_id("answers"), document.create_element("li")) else {
        return;
    };
    item.set_text_content(Some(line));
    let _ = list.append_child(&item);
}
