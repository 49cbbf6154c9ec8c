//! Decoders for captured values: a `data:` URL of an image whose QR code carries the value, and
//! the last path segment of a URL (the new resource's id in a `Location` header).
//!
//! The QR image comes from the target, so decoding must never panic or run away: the data is
//! size-checked, decoded with the `image` and `rqrr` crates, and any panic inside them is caught.
//!
//! Why a fast path: a QR code an API renders is a grid of square modules of a whole number of
//! pixels, upright, on a light margin. Read module by module (`upright_grid`) it decodes in
//! microseconds; rqrr's search for a code in a photo (finder patterns, then a perspective fitted
//! by trial) took about 20 ms, a tenth of a whole default run. A grid read that way that does not
//! decode (a scaled, rotated or photographed code) goes to rqrr's search, so the fast path never
//! loses a code rqrr finds; a misread one does not decode (the format bits and the Reed-Solomon
//! code reject it) rather than giving a wrong value.

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
    if let Some(content) = upright_grid(&img).and_then(|g| rqrr::Grid::new(g).decode().ok()) {
        return Ok(content.1);
    }
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or("no QR code found in the image")?;
    let (_, content) = grid
        .decode()
        .map_err(|e| format!("the QR code does not decode: {e}"))?;
    Ok(content)
}

/// Smallest and largest QR code, modules a side (versions 1 and 40).
const QR_SIDES: std::ops::RangeInclusive<usize> = 21..=177;

/// The modules of an upright QR code drawn with square modules of a whole number of pixels: the
/// dark pixels' bounding box is the code (its three finder patterns make three of its corners),
/// the top-left finder's first row is 7 modules wide, and each module is read at its centre.
/// `None` when the image is not such a drawing.
fn upright_grid(img: &image::GrayImage) -> Option<rqrr::SimpleGrid> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let px = img.as_raw();
    let dark = |x: usize, y: usize| px[y * w + x] < 128;
    let has_dark = |y: &usize| (0..w).any(|x| dark(x, *y));
    let top = (0..h).find(has_dark)?;
    let bottom = (0..h).rev().find(has_dark)?;
    let left = (top..=bottom)
        .filter_map(|y| (0..w).find(|&x| dark(x, y)))
        .min()?;
    let right = (top..=bottom)
        .filter_map(|y| (0..w).rev().find(|&x| dark(x, y)))
        .max()?;
    let side = right - left + 1;
    if bottom - top + 1 != side {
        return None;
    }
    // The top-left finder's top edge: 7 dark modules, then a light one.
    let run = (left..=right).take_while(|&x| dark(x, top)).count();
    if run == 0 || run % 7 != 0 {
        return None;
    }
    let module = run / 7;
    if side % module != 0 || !QR_SIDES.contains(&(side / module)) || (side / module) % 4 != 1 {
        return None;
    }
    let n = side / module;
    let centre = |i: usize| i * module + module / 2;
    Some(rqrr::SimpleGrid::from_func(n, |x, y| {
        dark(left + centre(x), top + centre(y))
    }))
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

    /// A QR code as the reference server draws it: `data:image/png;base64,...`.
    fn reference_qr() -> (String, image::GrayImage) {
        let url = crate::server::qr_data_url_for_tests(b"12345678901234567890", "ana@example.com")
            .unwrap();
        let b64 = url.split_once(',').unwrap().1;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        (url, img)
    }

    fn data_url(img: &image::GrayImage) -> String {
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    }

    #[test]
    fn a_drawn_code_is_read_module_by_module() {
        let (url, img) = reference_qr();
        let grid = upright_grid(&img).expect("an upright drawing");
        let (_, text) = rqrr::Grid::new(grid).decode().unwrap();
        assert!(
            text.starts_with("otpauth://totp/TropiPay:ana%40example.com?secret=GEZDGNBV"),
            "{text}"
        );
        assert_eq!(qr_from_data_url(&url).unwrap(), text);
    }

    #[test]
    fn a_scaled_or_turned_code_is_found_by_the_search_instead() {
        let (url, img) = reference_qr();
        let text = qr_from_data_url(&url).unwrap();
        // 1.5 times as large: modules of a pixel and a half, no whole number.
        let scaled = image::imageops::resize(
            &img,
            img.width() * 3 / 2,
            img.height() * 3 / 2,
            image::imageops::FilterType::Nearest,
        );
        // A quarter turn: the fast path reads a grid that does not decode.
        let turned = image::imageops::rotate90(&img);
        for other in [&scaled, &turned] {
            assert_eq!(qr_from_data_url(&data_url(other)).unwrap(), text);
        }
        assert!(upright_grid(&turned).is_none_or(|g| rqrr::Grid::new(g).decode().is_err()));
    }

    #[test]
    fn an_image_without_a_code_is_no_grid() {
        let blank = image::GrayImage::from_pixel(64, 64, image::Luma([255]));
        assert!(upright_grid(&blank).is_none());
        let black = image::GrayImage::from_pixel(64, 64, image::Luma([0]));
        assert!(upright_grid(&black).is_none());
        assert!(qr_from_data_url(&data_url(&blank)).is_err());
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
