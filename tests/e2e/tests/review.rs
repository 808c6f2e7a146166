//! Review and decision in the real app, driven as practice staff drive it: sign in, find the
//! record, review its four sections with the keyboard, decide, and find the acknowledgement in the
//! outbox. Every test runs on the training inbox (synthetic records and profiles).

use std::path::{Path, PathBuf};
use std::time::Duration;

use e2e::{App, TRAINING_PIN};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

const WAIT: Duration = Duration::from_secs(10);

// One app at a time: they share the X display and the machine has two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The training inbox's transfers as `gp2gp-inbox list --json` prints them.
fn training_transfers(app: &App) -> Vec<serde_json::Value> {
    let training = app.data_dir.path().join("training");
    let db = std::fs::read_dir(&training)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("records-"))
        })
        .expect("a training records folder")
        .join("inbox.sqlite3");
    let out = std::process::Command::new(e2e::target_dir().join("debug/gp2gp-inbox"))
        .args(["list", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["id"].is_i64())
        .collect()
}

/// The transfer of a training scenario (by the file name the trainer's set gives it): id and NHS number.
fn scenario(app: &App, name: &str, earlier: bool) -> (i64, String) {
    let found: Vec<_> = training_transfers(app)
        .into_iter()
        .filter(|t| {
            let f = t["fileName"].as_str().unwrap_or_default();
            f.contains(name) && f.contains("earlier_") == earlier
        })
        .collect();
    let t = found
        .first()
        .unwrap_or_else(|| panic!("no {name} record in the training inbox"));
    (
        t["id"].as_i64().unwrap(),
        t["nhsNumber"].as_str().unwrap().to_owned(),
    )
}

async fn find(c: &Client, xpath: &str) -> Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("{xpath}: {e}"))
}

async fn click(c: &Client, xpath: &str) {
    find(c, xpath)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
}

async fn press(c: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.unwrap();
}

/// Searches the inbox as a user types the NHS number (`999 123 4567`), then opens the record.
async fn open_by_search(c: &Client, transfer_id: i64, nhs: &str) {
    let search = find(
        c,
        "//input[@type='search' and @placeholder='Search by name or NHS number']",
    )
    .await;
    search.clear().await.unwrap();
    search
        .send_keys(&format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]))
        .await
        .unwrap();
    let row = find(
        c,
        &format!("//tr[@data-testid='transfer-row' and @data-transfer-id='{transfer_id}']"),
    )
    .await;
    let others = c
        .find_all(Locator::XPath(&format!(
            "//tr[@data-testid='transfer-row' and not(@data-nhs-number='{nhs}')]"
        )))
        .await
        .unwrap();
    let mut visible_others = 0;
    for o in others {
        if o.is_displayed().await.unwrap_or(false) {
            visible_others += 1;
        }
    }
    assert_eq!(visible_others, 0, "the search leaves only this patient's records");
    row.find(Locator::XPath(".//button[normalize-space()='Review']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    find(c, "//*[@data-testid='review-screen']").await;
}

/// `(seen, total)` from a section's progress ("3 of 5").
async fn progress(c: &Client, section: &str) -> (u32, u32) {
    let text = find(c, &format!("//*[@data-testid='section-progress-{section}']"))
        .await
        .text()
        .await
        .unwrap();
    let nums: Vec<u32> = text
        .split(|ch: char| !ch.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(nums.len() >= 2, "progress of {section}: {text:?}");
    (nums[nums.len() - 2], nums[nums.len() - 1])
}

/// Waits until a section's progress says every item is seen.
async fn wait_complete(c: &Client, section: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let (seen, total) = progress(c, section).await;
        if seen == total {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{section}: {seen} of {total}"
        );
        c.wait()
            .at_most(Duration::from_millis(300))
            .for_element(Locator::XPath("//*[@data-testid='never-there']"))
            .await
            .ok();
    }
}

/// Reviews the four sections with the keyboard only: `1`–`4` to switch, `space` on every item.
async fn review_with_keyboard(c: &Client) {
    for (key, section) in [
        ('1', "medications"),
        ('2', "allergies"),
        ('3', "degraded"),
        ('4', "attachments"),
    ] {
        press(c, key).await;
        find(c, &format!("//*[@role='tab' and @aria-selected='true' and .//*[@data-testid='section-progress-{section}']]")).await;
        let (_, total) = progress(c, section).await;
        if total > 0 {
            find(c, "//*[@data-testid='review-item']").await;
        }
        // Space marks the item under the cursor and moves on, as a reviewer goes down the list
        // watching the count.
        for _ in 0..total + 5 {
            let (seen, total) = progress(c, section).await;
            if seen == total {
                break;
            }
            press(c, ' ').await;
        }
        wait_complete(c, section).await;
    }
}

/// The acknowledgements the training inbox wrote.
fn training_acks(app: &App) -> Vec<PathBuf> {
    let outbox = app.data_dir.path().join("training").join("outbox");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&outbox)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "xml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

async fn decide(c: &Client, option: &str, reason: Option<&str>) -> String {
    decide_and_show(c, option, reason, None).await
}

/// [`decide`], saving a picture of the dialog just before the acknowledgement is sent.
async fn decide_and_show(
    c: &Client,
    option: &str,
    reason: Option<&str>,
    shot: Option<(&App, &str)>,
) -> String {
    click(c, "//button[normalize-space()='Decide…']").await;
    let dialog = find(c, "//*[@role='dialog' and @data-testid='decision-dialog']").await;
    dialog
        .find(Locator::XPath(&format!(
            ".//input[@type='radio' and @id=//*[@data-testid='decision-dialog']//label[starts-with(normalize-space(), '{option}')]/@for]"
        )))
        .await
        .unwrap_or_else(|e| panic!("option {option}: {e}"))
        .click()
        .await
        .unwrap();
    if let Some(code) = reason {
        let select = dialog.find(Locator::XPath(".//select")).await.unwrap();
        select.select_by_value(code).await.unwrap();
    }
    let preview = find(c, "//*[@data-testid='ack-preview']")
        .await
        .text()
        .await
        .unwrap();
    if let Some((app, name)) = shot {
        app.screenshot(name).await;
    }
    click(
        c,
        "//*[@data-testid='decision-dialog']//button[normalize-space()='Send acknowledgement']",
    )
    .await;
    find(c, "//*[@data-testid='decision-made']").await;
    preview
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_gp_finds_a_record_reviews_it_with_the_keyboard_and_integrates_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::first_run("review_integrate").await;
    let c = &app.client;
    app.signed_in("Dr Chris Carter", TRAINING_PIN).await;
    let (id, nhs) = scenario(&app, "many-repeats", false);
    open_by_search(c, id, &nhs).await;
    let banner = find(c, "//*[@data-testid='patient-banner']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        banner.contains(&format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..])),
        "{banner}"
    );
    // Integration waits for the review.
    let decide_button = find(c, "//button[normalize-space()='Decide…']").await;
    decide_button.click().await.unwrap();
    let integrate = find(
        c,
        "//*[@data-testid='decision-dialog']//input[@type='radio' and @id=//*[@data-testid='decision-dialog']//label[starts-with(normalize-space(),'Integrate')]/@for]",
    )
    .await;
    assert!(
        !integrate.is_enabled().await.unwrap(),
        "not before every section is reviewed"
    );
    click(
        c,
        "//*[@data-testid='decision-dialog']//button[normalize-space()='Cancel']",
    )
    .await;

    // The README's picture of the review screen: banner, safety summary, the first section.
    press(c, '1').await;
    find(c, "//*[@data-testid='review-item']").await;
    app.screenshot("review_screen").await;
    review_with_keyboard(c).await;
    let preview = decide(c, "Integrate", None).await;
    assert!(preview.contains("AA"), "{preview}");
    let made = find(c, "//*[@data-testid='decision-made']")
        .await
        .text()
        .await
        .unwrap();
    assert!(made.contains("Integrated"), "{made}");
    let acks = training_acks(&app);
    assert_eq!(acks.len(), 1, "{acks:?}");
    let xml = read(&acks[0]);
    assert!(xml.contains("typeCode=\"AA\""), "{xml}");
    assert!(acks[0].file_name().unwrap().to_string_lossy().contains("_AA_"));
    // Back in the inbox the record is decided.
    click(c, "//button[normalize-space()='Back to inbox']").await;
    let show = find(c, "//label[starts-with(normalize-space(),'Show')]//select").await;
    show.select_by_label("Decided").await.unwrap();
    find(
        c,
        &format!("//tr[@data-transfer-id='{id}' and @data-status='integrated']"),
    )
    .await;
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn an_administrator_rejects_the_wrong_patients_record_with_code_28() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::first_run("review_reject").await;
    let c = &app.client;
    app.signed_in("Alex Admin", TRAINING_PIN).await;
    let (id, nhs) = scenario(&app, "wrong-patient", false);
    open_by_search(c, id, &nhs).await;
    let warnings = find(c, "//*[@data-testid='patient-warnings']")
        .await
        .text()
        .await
        .unwrap();
    assert!(warnings.contains("No patient registered"), "{warnings}");
    let preview = decide_and_show(c, "Reject", Some("28"), Some((&app, "decision_dialog"))).await;
    assert!(preview.contains("AE") && preview.contains("28"), "{preview}");
    let acks = training_acks(&app);
    assert_eq!(acks.len(), 1);
    let xml = read(&acks[0]);
    assert!(
        xml.contains("typeCode=\"AE\"") && xml.contains("code=\"28\""),
        "{xml}"
    );
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_returning_patients_record_is_stored_suppressed() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::first_run("review_returning").await;
    let c = &app.client;
    app.signed_in("Alex Admin", TRAINING_PIN).await;
    let (id, nhs) = scenario(&app, "returning-patient", false);
    open_by_search(c, id, &nhs).await;
    let notice = find(c, "//*[@data-testid='returning-patient']")
        .await
        .text()
        .await
        .unwrap();
    assert!(notice.contains("Returning patient"), "{notice}");
    // Batch marking this time: "Mark all reviewed" in each section.
    for (tab, section) in [
        ("Medications", "medications"),
        ("Allergies", "allergies"),
        ("Degraded codes", "degraded"),
        ("Attachments", "attachments"),
    ] {
        click(
            c,
            &format!("//*[@role='tab' and starts-with(normalize-space(), '{tab}')]"),
        )
        .await;
        let (seen, total) = progress(c, section).await;
        if seen < total {
            click(c, "//button[normalize-space()='Mark all reviewed']").await;
        }
        wait_complete(c, section).await;
    }
    let preview = decide(c, "Store and suppress", None).await;
    assert!(preview.contains("15"), "{preview}");
    let xml = read(&training_acks(&app)[0]);
    assert!(
        xml.contains("typeCode=\"AE\"") && xml.contains("code=\"15\""),
        "{xml}"
    );
    app.finish().await;
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: run by scripts/test.sh under xvfb-run"]
async fn a_pharmacist_may_re_authorise_but_not_integrate_and_every_step_is_audited() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::first_run("review_pharmacist").await;
    let c = &app.client;
    // A wrong PIN is refused with a reason; the right one signs in.
    app.sign_in("Pat Pharmacist", "9999").await;
    let refused = find(c, "//*[@data-testid='sign-in']//*[@role='alert']")
        .await
        .text()
        .await
        .unwrap();
    assert!(refused.contains("Wrong PIN"), "{refused}");
    let pin = find(c, "//input[@type='password']").await;
    pin.clear().await.unwrap();
    pin.send_keys(TRAINING_PIN).await.unwrap();
    click(c, "//button[normalize-space()='Sign in']").await;
    find(c, "//*[@data-testid='signed-in-user']").await;

    let (id, nhs) = scenario(&app, "many-repeats", false);
    open_by_search(c, id, &nhs).await;
    let why = find(c, "//*[@data-testid='decision-why-not']")
        .await
        .text()
        .await
        .unwrap();
    assert!(why.contains("Only an administrator or a clinician"), "{why}");
    assert!(!find(c, "//button[normalize-space()='Decide…']")
        .await
        .is_enabled()
        .await
        .unwrap());
    click(
        c,
        "//*[@role='tab' and starts-with(normalize-space(), 'Medications')]",
    )
    .await;
    click(c, "(//button[@aria-label='Re-authorise'])[1]").await;
    find(
        c,
        "(//button[@aria-label='Re-authorise' and @aria-pressed='true'])[1]",
    )
    .await;
    assert!(
        c.find_all(Locator::XPath(
            "//button[starts-with(normalize-space(),'Propose recode')]"
        ))
        .await
        .unwrap()
        .is_empty(),
        "recoding is for clinicians"
    );
    app.screenshot("review_pharmacist_medications").await;

    // The audit trail has it all, and holds.
    click(c, "//button[normalize-space()='Back to inbox']").await;
    click(c, "//button[normalize-space()='Audit']").await;
    find(
        c,
        "//*[@data-testid='audit-row' and contains(normalize-space(), 'Viewed record')]",
    )
    .await;
    find(
        c,
        "//*[@data-testid='audit-row' and contains(normalize-space(), 'Sign-in failed')]",
    )
    .await;
    click(c, "//button[normalize-space()='Check the audit trail']").await;
    let check = find(c, "//*[@data-testid='audit-check']")
        .await
        .text()
        .await
        .unwrap();
    assert!(check.contains("Intact"), "{check}");
    app.screenshot("audit_screen").await;
    click(c, "//button[normalize-space()='Sign out']").await;
    find(c, "//*[@data-testid='sign-in']").await;
    app.finish().await;
}
