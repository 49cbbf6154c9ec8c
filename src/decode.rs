//! Decoders for captured values: a `data:` URL of an image whose QR code carries the value, and
//! the last path segment of a URL (the new resource's id in a `Location` header).
//!
//! The QR image comes from the target, so decoding must never panic or run away: the data is
//! size-checked, decoded with the `image` and `rqrr` crates, and any panic inside them is caught.

use base64::Engine;

/// Largest image accepted (bytes of the decoded data URL).
const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// Largest image accepted (pixels per side).
const MAX_SIDE: u32 = 4096;

/// Decodes `decoder` (`"qr"`, `"last-segment"`) on `text`.
pub fn decode(decoder: &str, text: &str) -> Result<String, String> {
    match decoder {
        "qr" => qr_from_data_url(text),
        "last-segment" => last_segment(text),
        other => Err(format!("unknown decoder `{other}`")),
    }
}

/// The last non-empty path segment of a URL or path, without query or fragment (the id in a
/// `Location: /pets/42` header), percent-decoding left to the next request's template.
pub fn last_segment(text: &str) -> Result<String, String> {
    let text = text.trim();
    let rest = text.split(['?', '#']).next().unwrap_or("");
    // An absolute URL's authority is not a path segment.
    let path = match rest.split_once("://") {
        Some((_, after)) => after.find('/').map_or("", |i| &after[i..]),
        None => rest,
    };
    path.rsplit('/')
        .find(|s| !s.is_empty())
        .map(String::from)
        .ok_or_else(|| format!("{text:?} has no path segment"))
}

/// The text of the QR code in a `data:image/...;base64,...` URL.
pub fn qr_from_data_url(url: &str) -> Result<String, String> {
    let rest = url.strip_prefix("data:").ok_or("not a data: URL")?;
    let (meta, data) = rest.split_once(',').ok_or("a data: URL without a comma")?;
    if !meta.starts_with("image/") || !meta.ends_with(";base64") {
        return Err(format!("a data: URL of {meta:?}, not a base64 image"));
    }
    if data.len() > MAX_IMAGE_BYTES * 4 / 3 + 4 {
        return Err("the image is too large".into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| format!("the image is not valid base64: {e}"))?;
    std::panic::catch_unwind(|| decode_qr(&bytes))
        .unwrap_or_else(|_| Err("the QR decoder failed on this image".into()))
}

fn decode_qr(bytes: &[u8]) -> Result<String, String> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| format!("not a readable image: {e}"))?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!(
            "the image is {w}x{h}, larger than {MAX_SIDE} pixels a side"
        ));
    }
    let img = image::load_from_memory(bytes)
        .map_err(|e| format!("not a readable image: {e}"))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or("no QR code found in the image")?;
    let (_, content) = grid
        .decode()
        .map_err(|e| format!("the QR code does not decode: {e}"))?;
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_segment_is_the_id_of_a_location() {
        assert_eq!(last_segment("/pets/42").unwrap(), "42");
        assert_eq!(
            last_segment("http://h:1/api/pets/a-b/?x=1#f").unwrap(),
            "a-b"
        );
        assert!(last_segment("http://h:1").is_err());
        assert!(last_segment("/").is_err());
        assert!(decode("nope", "x").is_err());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for url in [
            "",
            "https://x",
            "data:text/plain;base64,aGk=",
            "data:image/png;base64,!!!",
            "data:image/png;base64,aGVsbG8=",
            "data:image/png;base64,iVBORw0KGgo=",
        ] {
            assert!(qr_from_data_url(url).is_err(), "{url}");
        }
    }
}
