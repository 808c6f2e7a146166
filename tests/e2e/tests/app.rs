//! The real app, driven as a user drives it.

use std::time::Duration;

use e2e::{corpus, deliver, App, ADMIN, PIN, TRAINING_PIN};
use fantoccini::Locator;

/// Arrival must show within this long (issue #2: "appears within 10 s").
const ARRIVAL: Duration = Duration::from_secs(10);

// One app at a time: they share the X display and the machine has two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_record_dropped_in_the_folder_appears_in_the_inbox() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("first_record_arrives").await;
    app.signed_in(ADMIN, PIN).await;
    let c = &app.client;
    // The inbox has loaded, empty, and says which folder it watches.
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//*[normalize-space()='No records yet.']"))
        .await
        .unwrap();
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath(
            "//*[contains(@class,'watch-pill') and contains(@class,'ok')]",
        ))
        .await
        .unwrap();

    deliver(
        &corpus("adaptor_absent_attachments_full.xml"),
        &app.incoming,
        "extract.xml",
    );

    let row = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//tr[@data-nhs-number='1234567890']"))
        .await
        .expect("the record's row within 10 s");
    // All of the row's text, also what WebKit's rendered-text rule leaves out of line-clamped cells.
    let text = row.prop("textContent").await.unwrap().unwrap_or_default();
    assert!(
        text.contains("123 456 7890"),
        "NHS number formatted 3-3-4: {text}"
    );
    // 1234567890 fails the NHS number check digit: the row must say so.
    assert!(text.contains("Check NHS number"), "check-digit warning: {text}");
    assert!(text.contains("GP2GPTEST"), "sending practice: {text}");
    assert!(text.contains("01-Jan-2020 01:01"), "sent date: {text}");
    assert!(!text.contains("Sample"), "a real arrival is not a sample: {text}");
    assert!(text.contains("Ready for review"), "status: {text}");
    assert!(
        text.contains("missing attachment"),
        "absent attachments counted: {text}"
    );
    assert!(
        !app.incoming.join("extract.xml").exists(),
        "the file left the incoming folder"
    );

    // The original, exactly as received, one click away (GP2GP S63).
    row.find(Locator::XPath(
        ".//button[@aria-label='View original extract.xml']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let original = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::Css("[data-testid='original-text']"))
        .await
        .expect("the original is shown");
    let shown = original.text().await.unwrap();
    assert!(
        shown.contains("EhrExtract"),
        "original text: {}",
        &shown[..shown.len().min(200)]
    );
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn an_unreadable_file_goes_to_quarantine_with_a_reason() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("unreadable_file_quarantined").await;
    app.signed_in(ADMIN, PIN).await;
    let c = &app.client;
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::Id("incoming-title"))
        .await
        .unwrap();

    std::fs::create_dir_all(&app.incoming).unwrap();
    std::fs::write(app.incoming.join("scan.pdf"), b"%PDF-1.4 not a GP2GP message").unwrap();
    std::fs::write(app.incoming.join("still-copying.xml.part"), b"<half").unwrap();

    let row = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//tr[@data-file-name='scan.pdf']"))
        .await
        .expect("the quarantine row");
    assert!(row.text().await.unwrap().contains("XML"));
    let quarantined = app.data_dir.path().join("quarantine");
    assert!(quarantined.join("scan.pdf").exists() && quarantined.join("scan.pdf.reason.txt").exists());
    assert!(
        app.incoming.join("still-copying.xml.part").exists(),
        "files still being written are left alone"
    );
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_newcomer_sees_a_full_training_inbox() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::first_run("inbox_first_run").await;
    app.signed_in("Alex Admin", TRAINING_PIN).await;
    let c = &app.client;
    let banner = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::Css("[data-testid='training-banner']"))
        .await
        .expect("the training watermark");
    assert!(banner.text().await.unwrap().contains("TRAINING"));
    // The scenario set: a dozen synthetic records, every patient from the 999 test range.
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("(//tr[contains(@class,'transfer-row')])[10]"))
        .await
        .expect("ten or more scenario records");
    for row in c.find_all(Locator::Css("tr.transfer-row")).await.unwrap() {
        let nhs = row.attr("data-nhs-number").await.unwrap().unwrap_or_default();
        assert!(nhs.starts_with("999"), "synthetic NHS number: {nhs}");
    }
    // The garbled file of the set is in quarantine, as a trainer would show.
    c.find(Locator::XPath("//tr[contains(@data-file-name,'garbled-file')]"))
        .await
        .expect("the garbled training file in quarantine");
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_trainer_switches_to_training_mode_and_resets_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("training_mode").await;
    app.signed_in(ADMIN, PIN).await;
    let c = &app.client;
    let click = |xpath: &'static str| async move {
        c.wait()
            .at_most(ARRIVAL)
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("{xpath}: {e}"))
            .click()
            .await
            .unwrap();
    };
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//*[normalize-space()='No records yet.']"))
        .await
        .expect("the live inbox, empty");
    click("//button[normalize-space()='Settings']").await;
    click("//button[normalize-space()='Switch to training mode']").await;
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::Css("[data-testid='training-banner']"))
        .await
        .expect("the training watermark");
    // The training inbox has its own synthetic profiles: the trainer signs in to one.
    app.signed_in("Terry Trainer", TRAINING_PIN).await;
    click("//button[normalize-space()='Settings']").await;
    click("//button[normalize-space()='Reset training data']").await;
    let status = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//*[@role='status']"))
        .await
        .unwrap();
    assert!(status.text().await.unwrap().contains("Training data reset"));
    click("//button[normalize-space()='Inbox']").await;
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("(//tr[contains(@class,'transfer-row')])[10]"))
        .await
        .expect("the scenario records in the training inbox");
    assert!(
        !app.data_dir.path().join("inbox.sqlite3").exists() || app.data_dir.path().join("training").is_dir(),
        "training records are kept apart"
    );
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_message_posted_to_the_endpoint_turned_on_in_settings_appears_in_the_inbox() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("endpoint_in_settings").await;
    app.signed_in(ADMIN, PIN).await;
    let c = &app.client;
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//button[normalize-space()='Settings']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let listen = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::Id("endpoint-listen"))
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//label[contains(normalize-space(),'Accept messages posted to the endpoint')]/input",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    // Any free port: the screen says which one it got.
    listen.clear().await.unwrap();
    listen.send_keys("127.0.0.1:0").await.unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Save']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = c
        .wait()
        .at_most(ARRIVAL)
        .for_element(Locator::Css("[data-testid='endpoint-status']"))
        .await
        .expect("the endpoint's status");
    let text = status.text().await.unwrap();
    // The address shown (its own <code>), with the port the endpoint got.
    let url = status
        .find(Locator::Css("code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/v1/messages"),
        "{url}"
    );
    app.screenshot("settings_endpoint_on").await;
    let token_file = app.data_dir.path().join("endpoint-token");
    assert!(text.contains(&token_file.display().to_string()), "{text}");
    let token = std::fs::read_to_string(&token_file).unwrap();

    let body = std::fs::read(corpus("adaptor_absent_attachments_full.xml")).unwrap();
    let status = e2e::post(&url, token.trim(), "application/xml", &body);
    assert_eq!(status, 202, "POST {url} (from {text:?})");

    c.find(Locator::XPath("//button[normalize-space()='Inbox']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(ARRIVAL)
        .for_element(Locator::XPath("//tr[@data-nhs-number='1234567890']"))
        .await
        .expect("the posted record's row");
    app.finish().await;
}
