//! The example's client side: every method of both traits, results printed.
//! Shared by the `client` and `demo` examples.

use remotipy::stream::StreamExt;

use super::api::{CalculatorClient, TickError, UserError, UserInfo, UsersClient};

/// Calls every method at `urls` (spread over them all) and prints what came back.
pub async fn run(urls: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let (first, more) = urls.split_first().ok_or("no URL to call")?;
    let users =
        UsersClient::builder(first).endpoints(more.iter().cloned()).header("x-client", "remotipy-example").build()?;
    let calc = CalculatorClient::builder(first).endpoints(more.iter().cloned()).build()?;

    let ada = UserInfo { first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@example.org".into() };
    println!("greet(Ada)      -> {:?}", users.greet(ada).await?.message);
    println!("find(1)         -> {:?}", users.find(1).await?);
    match users.find(7).await {
        Err(remotipy::Error::App(UserError::NotFound(id))) => println!("find(7)         -> typed error: no user {id}"),
        other => return Err(format!("find(7) should be NotFound, got {other:?}").into()),
    }
    users.audit("example client was here".into()).await?;
    println!("audit(..)       -> sent (notification, no reply)");
    println!("add(2, 40)      -> {}", calc.add(2, 40).await?);
    println!("divide(1, 4)    -> {}", calc.divide(1.0, 4.0).await?);
    match calc.divide(1.0, 0.0).await {
        Err(remotipy::Error::App(e)) => println!("divide(1, 0)    -> typed error: {e}"),
        other => return Err(format!("divide(1, 0) should fail, got {other:?}").into()),
    }
    print!("ticks(5, 200)   -> streamed:");
    let mut ticks = calc.ticks(5, 200).await?;
    while let Some(tick) = ticks.next().await {
        print!(" {}", tick?);
        std::io::Write::flush(&mut std::io::stdout())?;
    }
    println!();
    match calc.ticks(3, 120_000).await {
        Err(remotipy::Error::App(TickError::IntervalTooLong(ms))) => {
            println!("ticks(3, 120000) -> typed error before any item: interval {ms} ms too long")
        }
        other => return Err(format!("ticks(3, 120000) should be refused, got {other:?}").into()),
    }
    Ok(())
}
