//! Peak memory of reading a ≥ 50 MB synthetic EhrExtract: `cargo run --release -p gp2gp --example
//! peak_memory [MB]`. Reads the process's high-water mark (`VmHWM` in `/proc/self/status`, Linux).

use std::time::Instant;

include!("../benches/synthetic.rs");

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mb: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let bytes = synthetic_extract(mb * 1024 * 1024);
    let size = bytes.len() as f64 / (1024.0 * 1024.0);
    let before = vm_hwm_kib().unwrap_or(0) as f64 / 1024.0;
    let t = Instant::now();
    let message = gp2gp::read(&bytes);
    let secs = t.elapsed().as_secs_f64();
    let after = vm_hwm_kib().unwrap_or(0) as f64 / 1024.0;
    match &message {
        Ok(m) => println!(
            "input {size:.1} MiB, {} compositions, {} statements, read in {secs:.2} s ({:.0} MiB/s)",
            m.counts.compositions,
            m.extract.as_ref().map_or(0, |x| x.statements.len()),
            size / secs
        ),
        Err(e) => println!("read failed: {e}"),
    }
    println!(
        "peak RSS {after:.1} MiB = {:.2}x the input (input held: {before:.1} MiB before reading; model and \
         reader added {:.1} MiB = {:.2}x)",
        after / size,
        after - before,
        (after - before) / size
    );
}
