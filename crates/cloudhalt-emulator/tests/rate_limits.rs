//! The per-action, per-region rate limits: a sliding one-second window over the arrival times
//! of the requests it admitted. Raw requests, so that no client-side pacing gets in the way.

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cloudhalt_emulator::{RunningEmulator, SettingsUpdate};
use common::*;

/// A StopInstances of `id` in `region`: "" on success, else the error code.
fn stop(emu: &RunningEmulator, region: &str, id: &str) -> String {
    let body = format!(r#"{{"InstanceIds":["{id}"]}}"#);
    let (status, answer) = RawTencent::new("StopInstances", Some(region), &body).send(emu);
    assert_eq!(status, 200, "{answer}");
    tencent_code(&answer).to_owned()
}

fn run(i: usize) -> String {
    format!("ins-run{i:05}")
}

/// StopInstances limited to `per_second` (the other actions keep their defaults).
fn limited(per_second: u32) -> RunningEmulator {
    let emu = emulator();
    emu.configure(SettingsUpdate {
        rate_limits: Some([("StopInstances".to_owned(), per_second)].into()),
        ..SettingsUpdate::default()
    });
    emu
}

/// Sleeps until the wall clock's fraction of a second is `fraction` (in the next second when
/// it has passed already).
fn sleep_until_fraction(fraction: f64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let into = f64::from(now.subsec_micros()) / 1e6;
    let wait = if into < fraction {
        fraction - into
    } else {
        1.0 - into + fraction
    };
    std::thread::sleep(Duration::from_secs_f64(wait));
}

/// Runs `burst` on a fresh emulator limited to `per_second` until it reports that it ran fast
/// enough to test what it tests (`Some`), at most 3 times: a loaded machine may be too slow.
fn fast_enough<T>(per_second: u32, burst: impl Fn(&RunningEmulator) -> Option<T>) -> T {
    for _ in 0..3 {
        if let Some(result) = burst(&limited(per_second)) {
            return result;
        }
    }
    panic!("three bursts in a row were too slow to test the window");
}

#[test]
fn eleven_requests_within_a_second_at_ten_per_second_throttle_exactly_one() {
    let codes = fast_enough(10, |emu| {
        let start = Instant::now();
        let codes: Vec<String> = (0..11)
            .map(|i| stop(emu, "ap-guangzhou", &run(i)))
            .collect();
        (start.elapsed() < Duration::from_millis(900)).then_some(codes)
    });
    let throttled = codes
        .iter()
        .filter(|c| *c == "RequestLimitExceeded")
        .count();
    assert_eq!(throttled, 1, "{codes:?}");
    assert!(
        codes
            .iter()
            .all(|c| c.is_empty() || c == "RequestLimitExceeded"),
        "{codes:?}"
    );
}

#[test]
fn a_burst_across_a_wall_clock_second_is_still_one_window() {
    // 10 requests late in one second and 10 early in the next are 20 within a quarter of a
    // second: a per-second bucket would admit them all.
    let codes = fast_enough(10, |emu| {
        sleep_until_fraction(0.80);
        let first = Instant::now();
        for i in 0..10 {
            assert_eq!(stop(emu, "ap-guangzhou", &run(i)), "", "request {i}");
        }
        sleep_until_fraction(0.05);
        if first.elapsed() > Duration::from_millis(700) {
            return None;
        }
        let codes: Vec<String> = (10..20)
            .map(|i| stop(emu, "ap-guangzhou", &run(i)))
            .collect();
        (first.elapsed() < Duration::from_millis(950)).then_some(codes)
    });
    assert!(
        codes.iter().all(|c| c == "RequestLimitExceeded"),
        "{codes:?}"
    );
}

#[test]
fn requests_spaced_wider_than_a_tenth_of_a_second_are_never_throttled_at_ten_per_second() {
    let emu = limited(10);
    for i in 0..25 {
        let started = Instant::now();
        assert_eq!(stop(&emu, "ap-guangzhou", &run(i)), "", "request {i}");
        std::thread::sleep(Duration::from_millis(110).saturating_sub(started.elapsed()));
    }
}

#[test]
fn the_window_slides_and_throttled_requests_do_not_fill_it() {
    let emu = limited(5);
    let first = Instant::now();
    for i in 0..5 {
        assert_eq!(stop(&emu, "ap-guangzhou", &run(i)), "", "request {i}");
    }
    let last_admitted = Instant::now();
    // Refused requests all through the rest of the second: they must not keep the window full.
    let mut i = 5;
    while first.elapsed() < Duration::from_millis(900) {
        assert_eq!(stop(&emu, "ap-guangzhou", &run(i)), "RequestLimitExceeded");
        i += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1050).saturating_sub(last_admitted.elapsed()));
    assert_eq!(
        stop(&emu, "ap-guangzhou", &run(i)),
        "",
        "a second later the window is empty"
    );
    let calls = &emu.calls()["StopInstances"];
    assert_eq!(calls["throttled"], i - 5, "{calls}");
    assert_eq!(calls["applied"], 6, "{calls}");
    assert_eq!(calls["received"], i + 1, "{calls}");
}

#[test]
fn each_region_has_its_own_window() {
    let emu = limited(3);
    for i in 0..3 {
        assert_eq!(stop(&emu, "ap-guangzhou", &run(i)), "");
    }
    assert_eq!(stop(&emu, "ap-guangzhou", &run(3)), "RequestLimitExceeded");
    assert_eq!(stop(&emu, "ap-shanghai", "ins-sha00000"), "");
}

#[test]
fn alibaba_windows_are_per_region_id() {
    let emu = emulator();
    emu.configure(SettingsUpdate {
        rate_limits: Some([("StopInvocation".to_owned(), 2)].into()),
        ..SettingsUpdate::default()
    });
    let send = |region: &str| {
        let (status, answer) =
            RawAlibaba::new(&[("RegionId", region), ("InvokeId", "t-hz0jdfwd9f0001")]).send(&emu);
        (status, answer["Code"].as_str().unwrap_or("").to_owned())
    };
    assert_eq!(send("cn-hangzhou"), (200, String::new()));
    assert_eq!(send("cn-hangzhou"), (200, String::new()));
    assert_eq!(send("cn-hangzhou"), (400, "Throttling.User".to_owned()));
    // Another region is not throttled (it answers that the invocation is not there).
    assert_eq!(
        send("cn-beijing"),
        (404, "InvalidInvokeId.NotFound".to_owned())
    );
}

#[test]
fn concurrent_requests_share_one_window() {
    // 8 threads, 5 requests each, all within a fraction of a second: exactly the limit passes.
    let codes = fast_enough(10, |emu| {
        let start = Instant::now();
        let codes: Vec<String> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..8)
                .map(|t| {
                    scope.spawn(move || {
                        (0..5)
                            .map(|i| stop(emu, "ap-guangzhou", &run(t * 5 + i)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        (start.elapsed() < Duration::from_millis(900)).then_some(codes)
    });
    let passed = codes.iter().filter(|c| c.is_empty()).count();
    assert_eq!(passed, 10, "{codes:?}");
    assert_eq!(
        codes
            .iter()
            .filter(|c| *c == "RequestLimitExceeded")
            .count(),
        30,
        "{codes:?}"
    );
}
