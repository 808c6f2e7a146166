//! The reader's throughput on a ≥ 50 MB synthetic EhrExtract, beside a bare quick-xml event loop over
//! the same bytes. `cargo bench -p gp2gp --bench read`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quick_xml::events::Event;
use quick_xml::{NsReader, Reader};

include!("synthetic.rs");

const SIZE: usize = 50 * 1024 * 1024;

/// The "bare loop" of the target (issue 3: within 2x of it): what any namespace-aware reader must at
/// least do. Pulls every event of the document from quick-xml's `NsReader` with
/// `read_resolved_event` (namespace scopes pushed for every start tag, the element's namespace
/// resolved for start, empty and end tags) and counts them; it looks at no attribute, unescapes no
/// text and builds nothing. `gp2gp::read` does all of that work plus the typed record, the analysis
/// and dropping the result, all inside its timed iteration.
fn bare_ns_loop(bytes: &[u8]) -> usize {
    let mut r = NsReader::from_reader(bytes);
    let mut n = 0;
    loop {
        match r.read_resolved_event() {
            Ok((_, Event::Eof)) | Err(_) => break,
            Ok(_) => n += 1,
        }
    }
    n
}

/// The same without namespace resolution (for reference only; not the target's baseline).
fn bare_loop(bytes: &[u8]) -> usize {
    let mut r = Reader::from_reader(bytes);
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => n += 1,
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let bytes = synthetic_extract(SIZE);
    let check = gp2gp::read(&bytes).expect("synthetic extract reads");
    assert!(check.counts.compositions > 1000);
    drop(check);
    let mut g = c.benchmark_group("read_50MB_extract");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("gp2gp::read", |b| {
        b.iter(|| black_box(gp2gp::read(black_box(&bytes)).map(|m| m.counts)))
    });
    g.bench_function("quick-xml NsReader loop", |b| {
        b.iter(|| black_box(bare_ns_loop(black_box(&bytes))))
    });
    g.bench_function("quick-xml Reader loop", |b| {
        b.iter(|| black_box(bare_loop(black_box(&bytes))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
