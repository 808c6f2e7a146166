//! `gp2gp-inbox training generate|scenarios|bench`: synthetic records for trainers, tests and
//! benchmarks (the `gp2gp-synth` generator), written as files an inbox can be fed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use gp2gp_synth::{records, Container, Scenario, Seed, Size, Spec};

/// What `training generate` is asked for.
#[derive(Debug, Clone, clap::Args)]
pub struct Request {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// How many records.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = crate::at_least_one())]
    pub count: usize,
    /// The same seed gives the same files on every machine.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// One scenario for every record (see `training scenarios`); by default a mix of all but the
    /// huge record.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Entries per record.
    #[arg(long, value_name = "M", value_parser = crate::at_least_one())]
    pub entries: Option<usize>,
    /// How the messages travel: xml (bare HL7), mime (ebXML + MIME with documents) or json (the
    /// messaging adaptor's form).
    #[arg(long, value_name = "xml|mime|json")]
    pub container: Option<String>,
}

fn container(name: &str) -> Option<Container> {
    match name {
        "xml" => Some(Container::BareXml),
        "mime" => Some(Container::EbXmlMime),
        "json" => Some(Container::MhsJson),
        _ => None,
    }
}

/// Totals of one run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub records: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Writes `count` records (each of its files) into `out/messages/`, plus `out/registrations.json`:
/// one record in memory at a time.
pub fn write(req: &Request) -> Result<Written, String> {
    let scenario = match &req.scenario {
        Some(name) => Some(Scenario::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
            format!(
                "there is no scenario \"{name}\"; choose one of: {}",
                names.join(", ")
            )
        })?),
        None => None,
    };
    let container = match &req.container {
        Some(name) => {
            container(name).ok_or_else(|| format!("\"{name}\" is not a container: use xml, mime or json"))?
        }
        None => Container::BareXml,
    };
    // Messages in their own folder, so that all of it can be dropped into an incoming folder;
    // the registrations beside it.
    let messages = req.out.join("messages");
    std::fs::create_dir_all(&messages).map_err(|e| format!("{}: {e}", messages.display()))?;
    let registrations_path = req.out.join("registrations.json");
    let mut registrations = std::io::BufWriter::new(
        std::fs::File::create(&registrations_path)
            .map_err(|e| format!("{}: {e}", registrations_path.display()))?,
    );
    let io = |e: std::io::Error| e.to_string();
    registrations.write_all(b"[\n").map_err(io)?;
    let mut written = Written::default();
    for i in 0..req.count {
        // Without a scenario, a trainer's mix: every scenario but the huge one in turn.
        let scenario = scenario.unwrap_or_else(|| {
            let mix: Vec<Scenario> = Scenario::ALL
                .into_iter()
                .filter(|s| *s != Scenario::HugeRecord)
                .collect();
            mix[i % mix.len()]
        });
        let spec = Spec {
            size: Size {
                entries: req.entries.unwrap_or(Spec::default().size.entries),
            },
            container,
            scenario,
            ..Spec::default()
        };
        let Some(record) = records(Seed(req.seed.wrapping_add(i as u64)), 1, spec).next() else {
            continue;
        };
        if i > 0 {
            registrations.write_all(b",\n").map_err(io)?;
        }
        serde_json::to_writer(&mut registrations, &record.plan.registration.to_json())
            .map_err(|e| e.to_string())?;
        for f in record.files {
            let name = format!("{:05}-{}-{}", i + 1, scenario.name(), f.name);
            std::fs::write(messages.join(&name), &f.bytes).map_err(|e| format!("{name}: {e}"))?;
            written.files += 1;
            written.bytes += f.bytes.len() as u64;
        }
        written.records += 1;
    }
    registrations.write_all(b"\n]\n").map_err(io)?;
    registrations.flush().map_err(io)?;
    Ok(written)
}

pub fn generate(req: &Request) -> ExitCode {
    let started = Instant::now();
    match write(req) {
        Ok(w) => {
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            println!(
                "SYNTHETIC training data (not real patients): {} records, {} files, {:.1} MB in {}/messages ({:.2} s: {:.0} records/s, {:.1} MB/s); registrations in registrations.json beside it",
                w.records,
                w.files,
                w.bytes as f64 / 1e6,
                req.out.display(),
                secs,
                w.records as f64 / secs,
                w.bytes as f64 / 1e6 / secs
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            ExitCode::from(2)
        }
    }
}

/// `training scenarios`: each scenario's name and what it shows.
pub fn scenarios() -> ExitCode {
    for s in Scenario::ALL {
        println!("{:<32}{}", s.name(), s.description());
    }
    ExitCode::SUCCESS
}

/// `training bench`: generation speed, and the time to reset a training inbox to its scenario set.
pub fn bench(count: usize) -> ExitCode {
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("gp2gp-inbox: no temporary folder");
        return ExitCode::from(2);
    };
    let req = Request {
        out: dir.path().join("generated"),
        count,
        seed: 1,
        scenario: None,
        entries: None,
        container: Some("mime".into()),
    };
    let started = Instant::now();
    let written = match write(&req) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            return ExitCode::from(2);
        }
    };
    let generation = started.elapsed().as_secs_f64().max(1e-9);
    let data = dir.path().join("app-data");
    let started = Instant::now();
    let reset = inbox::training::reset(
        &data,
        std::sync::Arc::new(inbox::SystemClock),
        inbox::training::Choice::Every,
    )
    .and_then(|inbox| inbox.count_transfers());
    let reset_secs = started.elapsed().as_secs_f64();
    let records_in_set = match reset {
        Ok(n) => n,
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            return ExitCode::from(2);
        }
    };
    println!("All data in this benchmark is SYNTHETIC (gp2gp-synth); no real patient is involved.");
    println!(
        "generation: {} records ({} files, {:.1} MB, ebXML+MIME with documents) in {generation:.2} s = {:.0} records/s, {:.1} MB/s",
        written.records,
        written.files,
        written.bytes as f64 / 1e6,
        written.records as f64 / generation,
        written.bytes as f64 / 1e6 / generation
    );
    println!("reset training data: {records_in_set} records filed in {reset_secs:.2} s");
    ExitCode::SUCCESS
}
