//! Stops Tencent CVM instances, the way an emergency script would.
//!
//! ```sh
//! export TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=...
//! cargo run -p cloudhalt --example stop_instances -- ap-guangzhou ins-r8hr2upy ins-5d8a23rs
//! ```
//!
//! `CLOUDHALT_ENDPOINT=http://127.0.0.1:PORT` sends the request to a local emulator instead
//! (`cloudhalt emulator --port 0` prints its address; its built-in credentials are in its README).

use std::process::ExitCode;

use cloudhalt::{StopInstances, StopType, Tencent};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(region), ids) = (args.next(), args.collect::<Vec<_>>()) else {
        eprintln!("usage: stop_instances REGION INSTANCE_ID...");
        return ExitCode::from(2);
    };
    match run(&region, ids) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The error names the field or the provider code, and how far the request got.
            eprintln!("error: {err} [{}]", err.send_state().as_str());
            ExitCode::FAILURE
        }
    }
}

fn run(region: &str, instance_ids: Vec<String>) -> Result<(), cloudhalt::Error> {
    let mut client = Tencent::from_env()?;
    if let Ok(url) = std::env::var("CLOUDHALT_ENDPOINT") {
        client = client.with_endpoint_url(&url)?;
    }
    let mut request = StopInstances::new(region, instance_ids);
    // Try a clean shutdown, and force it if the guest does not react.
    request.set_stop_type(StopType::SoftFirst);
    let response = client.stop_instances(&request)?;
    println!(
        "StopInstances accepted, RequestId {}",
        response.request_id()
    );
    Ok(())
}
