//! Large-message assembly: the Vision fragment set and the skeleton pair.

use gp2gp::assemble;

use crate::corpus;

const TIFF_LE: &[u8] = b"II*\0";

#[test]
fn vision_large_attachment_from_index_and_fragments() {
    let core = corpus("vision_large_attachment_uk06.json");
    let index = corpus("vision_large_attachment_copc_index.json");
    let f0 = corpus("vision_large_attachment_copc0.json");
    let f1 = corpus("vision_large_attachment_copc1.json");
    // Parts in any order.
    let a = assemble(&core, &[&f1, &index, &f0]).unwrap();
    assert!(a.missing.is_empty(), "{:?}", a.missing);
    assert!(a.is_complete());
    assert_eq!(a.files.len(), 1);
    let file = &a.files[0];
    assert_eq!(file.slices, 3);
    assert_eq!(file.encoded.len(), 4205 + 18224 + 14075);
    assert_eq!(
        file.filename(),
        Some("588210BB-401D-41F9-84D2-978697CEEFE5_00011000.tif")
    );
    let tiff = file.decode().unwrap();
    assert!(tiff.starts_with(TIFF_LE));
    assert!((26_000..28_000).contains(&tiff.len()), "{}", tiff.len());
    // Streaming gives the same bytes.
    let mut streamed = Vec::new();
    std::io::Read::read_to_end(&mut file.open().unwrap(), &mut streamed).unwrap();
    assert_eq!(streamed, tiff);
}

#[test]
fn missing_fragments_are_reported() {
    let core = corpus("vision_large_attachment_uk06.json");
    let index = corpus("vision_large_attachment_copc_index.json");
    let f0 = corpus("vision_large_attachment_copc0.json");
    let a = assemble(&core, &[&index, &f0]).unwrap();
    assert!(!a.is_complete());
    assert_eq!(a.missing.len(), 1);
    assert_eq!(a.missing[0].message_id, "482CDD0C-C361-4961-99D6-ACF80B2FE17D");
    assert_eq!(
        a.missing[0].index_message_id.as_deref(),
        Some("477B7133-6CED-4040-8D6F-3872A3CE2192")
    );

    let a = assemble(&core, &[]).unwrap();
    assert_eq!(a.missing.len(), 1);
    assert_eq!(a.missing[0].message_id, "477B7133-6CED-4040-8D6F-3872A3CE2192");
}

#[test]
fn skeleton_extract_is_resolved() {
    let core = corpus("skeleton_extract_uk06.json");
    let copc = corpus("skeleton_extract_copc.json");
    let a = assemble(&core, &[&copc]).unwrap();
    assert!(a.is_complete(), "{:?}", a.missing);
    let skel = &a.files[0];
    assert!(skel.reference.skeleton);
    assert_eq!(skel.reference.compressed, Some(true), "the flag says gzip...");
    let content = skel.decode().unwrap();
    assert!(
        content.starts_with(b"<NarrativeStatement"),
        "...but the bytes are plain XML"
    );
    let resolved = a.resolved.as_ref().expect("skeleton resolved");
    let x = resolved.extract.as_ref().unwrap();
    assert!(x
        .statements
        .iter()
        .any(|s| s.id.as_deref() == Some("2531F667-AA89-4540-A50B-56298B13FC4C")));
    assert!(
        x.documents
            .iter()
            .all(|d| !d.link.as_deref().unwrap_or("").starts_with("cid:")),
        "stub gone"
    );
    assert_eq!(x.id.as_deref(), Some("7DFAECD9-A169-4187-B0A0-2613EDD7D835"));
    // Without the COPC the skeleton stays and is reported missing.
    let a = assemble(&core, &[]).unwrap();
    assert!(a.resolved.is_none());
    assert_eq!(a.missing[0].message_id, "66B41202-C358-4B4C-93C6-7A10803F9584");
}
