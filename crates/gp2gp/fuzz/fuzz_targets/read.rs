//! Any bytes: the reader, the summary reader and assembly must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = gp2gp::read(data) {
        let _ = m.summary();
        let _ = m.placeholders();
        for a in &m.attachments {
            let _ = a.decode();
        }
    }
    let _ = gp2gp::summarise(data);
    // Split the input in two to exercise assembly with a core and a part.
    let mid = data.len() / 2;
    let _ = gp2gp::assemble(&data[..mid], &[&data[mid..]]);
});
