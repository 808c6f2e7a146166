//! Small real files for attachments, built here byte by byte so they open in ordinary viewers:
//! PDF, PNG, TIFF, RTF and plain text, each saying it is synthetic test data; and the
//! `AbsentAttachment` placeholder text.

use std::fmt::Write as _;

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 broken into lines of 76 characters (as MIME parts carry it).
pub fn base64_lines(bytes: &[u8]) -> String {
    let b = base64(bytes);
    let mut out = String::with_capacity(b.len() + b.len() / 76 * 2 + 2);
    for line in b.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// CRC-32 (IEEE), as PNG chunks need.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// A one-page PDF showing `lines` (PDF 1.4, Helvetica, correct cross-reference table).
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 770 Td 16 TL\n");
    for l in lines {
        let safe: String = l
            .chars()
            .filter(char::is_ascii)
            .map(|c| if matches!(c, '(' | ')' | '\\') { ' ' } else { c })
            .collect();
        let _ = writeln!(content, "({safe}) '");
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{o}\nendobj\n", i + 1);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(out, "{o:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.into_bytes()
}

/// A small greyscale PNG (`width` x `height`, a diagonal stripe pattern seeded by `shade`),
/// compressed with stored deflate blocks so no compressor is needed.
pub fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            raw.push(if (x + y) % 8 < 4 { shade } else { 255 - shade / 2 });
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(b"IHDR", &ihdr);
    chunk(b"tEXt", b"Comment\0SYNTHETIC TEST IMAGE - not a real patient");
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    out
}

/// A small uncompressed greyscale TIFF (little endian, one strip), like a scanned page.
pub fn tiff(width: u16, height: u16, shade: u8) -> Vec<u8> {
    let pixels: Vec<u8> = (0..u32::from(width) * u32::from(height))
        .map(|i| {
            if (i % u32::from(width)) % 6 < 3 {
                shade
            } else {
                255
            }
        })
        .collect();
    let entries: [(u16, u16, u32, u32); 10] = [
        (256, 3, 1, u32::from(width)),  // ImageWidth
        (257, 3, 1, u32::from(height)), // ImageLength
        (258, 3, 1, 8),                 // BitsPerSample
        (259, 3, 1, 1),                 // Compression: none
        (262, 3, 1, 1),                 // Photometric: black is zero
        (273, 4, 1, 0),                 // StripOffsets (filled below)
        (277, 3, 1, 1),                 // SamplesPerPixel
        (278, 3, 1, u32::from(height)), // RowsPerStrip
        (279, 4, 1, pixels.len() as u32),
        (284, 3, 1, 1), // PlanarConfiguration
    ];
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_offset = (8 + ifd_len) as u32;
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        let value = if tag == 273 { data_offset } else { value };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if kind == 3 {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&pixels);
    out
}

/// An RTF letter.
pub fn rtf(lines: &[&str]) -> Vec<u8> {
    let mut out = String::from("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs22\n");
    for l in lines {
        let safe: String = l
            .chars()
            .filter(char::is_ascii)
            .map(|c| if matches!(c, '{' | '}' | '\\') { ' ' } else { c })
            .collect();
        let _ = writeln!(out, "{safe}\\par");
    }
    out.push('}');
    out.into_bytes()
}

/// The content of a document of `extension` (`pdf`, `png`, `tif`, `rtf`, else text), `lines` its
/// text. `scale` multiplies the sides of images (1: a thumbnail of a few KB; 40: a ~5 MB scan).
pub fn document(extension: &str, lines: &[&str], shade: u8, scale: u32) -> Vec<u8> {
    let scale = scale.max(1);
    match extension {
        "pdf" => pdf(lines),
        "png" => png(48 * scale, 32 * scale, shade),
        "tif" | "tiff" => {
            let side = |n: u32| u16::try_from(n * scale).unwrap_or(u16::MAX);
            tiff(side(64), side(48), shade)
        }
        "rtf" => rtf(lines),
        _ => lines.join("\r\n").into_bytes(),
    }
}

/// The four-line `AbsentAttachment<id>.txt` placeholder (format §14): a fixed sentence, the
/// original file name, `<ODS>:<conversation id>` of the transfer that created it (`by`), and the
/// reason.
pub fn placeholder(original_name: &str, by: &str) -> String {
    format!(
        "The file could not be included with the Electronic Record\n{original_name}\n{by}\nReason:06:Unable to determine problem\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn crc_matches_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn files_have_their_magic_numbers() {
        assert!(pdf(&["hello"]).starts_with(b"%PDF-1.4"));
        assert!(pdf(&["hello"]).ends_with(b"%%EOF\n"));
        assert!(png(4, 4, 10).starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(tiff(4, 4, 10).starts_with(b"II*\0"));
        assert!(rtf(&["x"]).starts_with(b"{\\rtf1"));
        let p = pdf(&["a"]);
        let text = String::from_utf8_lossy(&p);
        // The xref offset points at the xref table.
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[startxref..].starts_with("xref"));
    }
}
