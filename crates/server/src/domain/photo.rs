//! Shoppers' photos (of a damaged item for a return, or for a review): checked by their
//! content and cleaned of metadata such as GPS position before the server keeps them.
//! The files are walked, never decoded: the picture itself is copied byte for byte, and
//! only the metadata around it is left out.

/// Largest photo taken, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest side, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// Photos a review or a returned item may have.
pub const MAX_PHOTOS: usize = 3;

/// The kinds of photo taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    Webp,
}

impl PhotoType {
    /// Its media type, for the `Content-Type` header.
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Webp => "image/webp",
        }
    }

    /// Its name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "jpeg",
            PhotoType::Png => "png",
            PhotoType::Webp => "webp",
        }
    }

    /// The kind named `s` by [`PhotoType::as_str`].
    pub fn parse(s: &str) -> Option<PhotoType> {
        match s {
            "jpeg" => Some(PhotoType::Jpeg),
            "png" => Some(PhotoType::Png),
            "webp" => Some(PhotoType::Webp),
            _ => None,
        }
    }
}

/// A photo fit to keep: its kind, its bytes without metadata, and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleaned {
    pub kind: PhotoType,
    pub bytes: Vec<u8>,
    /// As displayed (after the EXIF orientation is applied: orientations 5–8 swap sides).
    pub width: u32,
    pub height: u32,
}

/// Why a photo was turned down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// More than [`MAX_BYTES`].
    TooLarge,
    /// Not a JPEG, PNG or WebP image by its first bytes.
    NotAnImage,
    /// Starts like one of them, but its structure is broken or cut short.
    Damaged,
    /// A side of 0 pixels, or above [`MAX_SIDE`].
    TooManyPixels,
}

impl PhotoError {
    /// Its code in error responses.
    pub fn code(self) -> &'static str {
        match self {
            PhotoError::TooLarge => "photo_too_large",
            PhotoError::NotAnImage => "photo_type",
            PhotoError::Damaged => "photo_damaged",
            PhotoError::TooManyPixels => "photo_size",
        }
    }

    /// What to tell the shopper.
    pub fn message(self) -> &'static str {
        match self {
            PhotoError::TooLarge => "A photo can be at most 5 MB.",
            PhotoError::NotAnImage => "A photo can be a JPEG, PNG or WebP image.",
            PhotoError::Damaged => "This photo seems damaged or incomplete. Please try another.",
            PhotoError::TooManyPixels => "A photo can be at most 12,000 pixels wide and high.",
        }
    }
}

/// Checks the bytes are a JPEG, PNG or WebP image by their content, and returns them
/// without metadata.
pub fn clean(bytes: &[u8]) -> Result<Cleaned, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let kind = sniff(bytes).ok_or(PhotoError::NotAnImage)?;
    let (bytes, width, height) = match kind {
        PhotoType::Jpeg => clean_jpeg(bytes)?,
        PhotoType::Png => clean_png(bytes)?,
        PhotoType::Webp => clean_webp(bytes)?,
    };
    let side = 1..=MAX_SIDE;
    if !side.contains(&width) || !side.contains(&height) {
        return Err(PhotoError::TooManyPixels);
    }
    Ok(Cleaned {
        kind,
        bytes,
        width,
        height,
    })
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The kind of image the first bytes announce.
fn sniff(bytes: &[u8]) -> Option<PhotoType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(PhotoType::Jpeg)
    } else if bytes.starts_with(&PNG_SIGNATURE) {
        Some(PhotoType::Png)
    } else if bytes.get(..4) == Some(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some(PhotoType::Webp)
    } else {
        None
    }
}

/// `N` bytes from `at`, if there are that many.
fn take<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..)?.first_chunk::<N>().copied()
}

fn u16_be(bytes: &[u8], at: usize) -> Option<u16> {
    take(bytes, at).map(u16::from_be_bytes)
}

fn u32_be(bytes: &[u8], at: usize) -> Option<u32> {
    take(bytes, at).map(u32::from_be_bytes)
}

fn u32_le(bytes: &[u8], at: usize) -> Option<u32> {
    take(bytes, at).map(u32::from_le_bytes)
}

/// The cleaned bytes with the size as stored (before any orientation).
type Walked = (Vec<u8>, u32, u32);

// JPEG: marker segments up to the first scan, then scans up to EOI.

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;
const SOI: u8 = 0xD8;
const TEM: u8 = 0x01;
const COM: u8 = 0xFE;

/// Whether a marker is a frame header (SOF0–SOF15, except DHT, JPG and DAC).
fn is_sof(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Whether a marker stands alone, without a length and data.
fn is_standalone(marker: u8) -> bool {
    marker == TEM || matches!(marker, 0xD0..=0xD7)
}

/// Whether a marker's segment is metadata (APP0–APP15, COM).
fn is_metadata(marker: u8) -> bool {
    matches!(marker, 0xE0..=0xEF) || marker == COM
}

/// The marker at `pos` (after any fill bytes), moving past it.
fn jpeg_marker(bytes: &[u8], pos: &mut usize) -> Result<u8, PhotoError> {
    if bytes.get(*pos) != Some(&0xFF) {
        return Err(PhotoError::Damaged);
    }
    while bytes.get(*pos) == Some(&0xFF) {
        *pos += 1;
    }
    let marker = *bytes.get(*pos).ok_or(PhotoError::Damaged)?;
    *pos += 1;
    Ok(marker)
}

/// The segment at `pos` (its length field and data) and its data alone, moving past it.
fn jpeg_segment<'a>(bytes: &'a [u8], pos: &mut usize) -> Result<(&'a [u8], &'a [u8]), PhotoError> {
    let len = u16_be(bytes, *pos).ok_or(PhotoError::Damaged)?;
    let end = pos
        .checked_add(usize::from(len))
        .ok_or(PhotoError::Damaged)?;
    let data_start = pos.checked_add(2).ok_or(PhotoError::Damaged)?;
    let segment = bytes.get(*pos..end).ok_or(PhotoError::Damaged)?;
    let data = bytes.get(data_start..end).ok_or(PhotoError::Damaged)?;
    *pos = end;
    Ok((segment, data))
}

fn clean_jpeg(bytes: &[u8]) -> Result<Walked, PhotoError> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut pos = 2;
    let mut size = None;
    let mut orientation = 1;
    let mut exif_seen = false;

    // Up to the first scan: keep what the picture needs, drop the metadata.
    loop {
        let marker = jpeg_marker(bytes, &mut pos)?;
        if is_standalone(marker) {
            out.extend_from_slice(&[0xFF, marker]);
            continue;
        }
        if matches!(marker, 0x00 | SOI | EOI) {
            return Err(PhotoError::Damaged);
        }
        let (segment, data) = jpeg_segment(bytes, &mut pos)?;
        let keep = match marker {
            0xE0 => {
                if let Some(jfif) = jfif_without_thumbnail(data) {
                    out.extend_from_slice(&jfif);
                }
                false
            }
            0xE1 => {
                if !exif_seen {
                    if let Some(tiff) = data.strip_prefix(b"Exif\0\0") {
                        exif_seen = true;
                        if let Some(found) = exif_orientation(tiff) {
                            orientation = found;
                            out.extend_from_slice(&orientation_app1(found));
                        }
                    }
                }
                false
            }
            0xE2 => data.starts_with(b"ICC_PROFILE\0"),
            0xEE => data.starts_with(b"Adobe"),
            _ if is_metadata(marker) => false,
            SOS => {
                if size.is_none() {
                    return Err(PhotoError::Damaged);
                }
                true
            }
            _ if is_sof(marker) => {
                if size.is_none() {
                    let height = u16_be(data, 1).ok_or(PhotoError::Damaged)?;
                    let width = u16_be(data, 3).ok_or(PhotoError::Damaged)?;
                    size = Some((u32::from(width), u32::from(height)));
                }
                true
            }
            _ => true,
        };
        if keep {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
        if marker == SOS {
            break;
        }
    }

    // Scans: entropy-coded data copied as is, up to the next marker (FF, maybe after fill
    // bytes, not followed by a stuffed 00 or a restart marker); between scans, tables are
    // kept and metadata dropped; everything after EOI is left out.
    loop {
        let rest = bytes.get(pos..).ok_or(PhotoError::Damaged)?;
        let mut at = 0;
        let data_end = loop {
            let ff = rest
                .get(at..)
                .and_then(|tail| tail.iter().position(|&b| b == 0xFF))
                .ok_or(PhotoError::Damaged)?;
            let run = rest
                .get(at + ff..)
                .and_then(|tail| tail.iter().position(|&b| b != 0xFF))
                .ok_or(PhotoError::Damaged)?;
            let after = at + ff + run;
            match rest.get(after) {
                Some(0x00 | 0xD0..=0xD7) => at = after + 1,
                Some(_) => break at + ff,
                None => return Err(PhotoError::Damaged),
            }
        };
        // Fill bytes before a marker are left out, as a dropped segment would leave them
        // stuck to the next scan's data.
        out.extend_from_slice(rest.get(..data_end).ok_or(PhotoError::Damaged)?);
        pos += data_end;
        let marker = jpeg_marker(bytes, &mut pos)?;
        if marker == EOI {
            out.extend_from_slice(&[0xFF, EOI]);
            break;
        }
        if marker == TEM {
            out.extend_from_slice(&[0xFF, marker]);
            continue;
        }
        if marker == SOI {
            return Err(PhotoError::Damaged);
        }
        let (segment, _) = jpeg_segment(bytes, &mut pos)?;
        if !is_metadata(marker) {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
    }

    let (width, height) = size.ok_or(PhotoError::Damaged)?;
    if (5..=8).contains(&orientation) {
        Ok((out, height, width))
    } else {
        Ok((out, width, height))
    }
}

/// A JFIF APP0 segment (marker included) keeping its version and density but not its
/// thumbnail; `None` for any other APP0 (JFXX thumbnails, AVI1...).
fn jfif_without_thumbnail(data: &[u8]) -> Option<[u8; 18]> {
    let head: [u8; 12] = take(data, 0)?;
    if !head.starts_with(b"JFIF\0") || data.len() < 14 {
        return None;
    }
    let mut segment = [0u8; 18];
    segment[..4].copy_from_slice(&[0xFF, 0xE0, 0x00, 16]);
    segment[4..16].copy_from_slice(&head);
    Some(segment)
}

/// The Orientation tag (0x0112) in IFD0 of EXIF's TIFF structure, when it is 2 to 8 (1,
/// the default, needs no tag).
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        take(tiff, at).map(|b| {
            if big_endian {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            }
        })
    };
    let u32_at = |at: usize| {
        take(tiff, at).map(|b| {
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(ifd)?;
    let first = ifd.checked_add(2)?;
    for index in 0..usize::from(entries) {
        let entry = first.checked_add(index * 12)?;
        if u16_at(entry)? != 0x0112 {
            continue;
        }
        let value_at = entry.checked_add(8)?;
        let value = match u16_at(entry.checked_add(2)?)? {
            3 => u16_at(value_at)?,
            4 => u16::try_from(u32_at(value_at)?).ok()?,
            _ => return None,
        };
        return (2..=8).contains(&value).then_some(value);
    }
    None
}

/// The smallest EXIF APP1 segment (marker included) that holds only an orientation: for
/// browsers to still turn the picture the right way.
fn orientation_app1(orientation: u16) -> [u8; 36] {
    let [high, low] = orientation.to_be_bytes();
    [
        0xFF, 0xE1, 0x00, 34, // APP1, length
        b'E', b'x', b'i', b'f', 0, 0, // EXIF header
        b'M', b'M', 0x00, 42, 0, 0, 0, 8, // TIFF header, big-endian, IFD0 at 8
        0x00, 0x01, // one entry
        0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, high, low, 0, 0, // Orientation, SHORT, 1
        0, 0, 0, 0, // no next IFD
    ]
}

// PNG: chunks from IHDR to IEND.

/// Ancillary chunks with metadata: EXIF, text, time, and C2PA content credentials.
const PNG_METADATA: [&[u8; 4]; 6] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME", b"caBX"];

fn clean_png(bytes: &[u8]) -> Result<Walked, PhotoError> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&PNG_SIGNATURE);
    let mut pos = PNG_SIGNATURE.len();
    let mut size = None;
    let mut has_data = false;
    loop {
        let len = u32_be(bytes, pos).ok_or(PhotoError::Damaged)?;
        if len > 0x7FFF_FFFF {
            return Err(PhotoError::Damaged);
        }
        let len = usize::try_from(len).map_err(|_| PhotoError::Damaged)?;
        let kind_at = pos.checked_add(4).ok_or(PhotoError::Damaged)?;
        let kind: [u8; 4] = take(bytes, kind_at).ok_or(PhotoError::Damaged)?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(PhotoError::Damaged);
        }
        let crc_at = kind_at
            .checked_add(4)
            .and_then(|data_at| data_at.checked_add(len))
            .ok_or(PhotoError::Damaged)?;
        let end = crc_at.checked_add(4).ok_or(PhotoError::Damaged)?;
        let chunk = bytes.get(pos..end).ok_or(PhotoError::Damaged)?;
        let checked = bytes.get(kind_at..crc_at).ok_or(PhotoError::Damaged)?;
        let crc = u32_be(bytes, crc_at).ok_or(PhotoError::Damaged)?;
        pos = end;

        if size.is_none() {
            if &kind != b"IHDR" || len != 13 {
                return Err(PhotoError::Damaged);
            }
            let width = u32_be(bytes, kind_at + 4).ok_or(PhotoError::Damaged)?;
            let height = u32_be(bytes, kind_at + 8).ok_or(PhotoError::Damaged)?;
            size = Some((width, height));
        } else if &kind == b"IHDR" {
            return Err(PhotoError::Damaged);
        }
        if PNG_METADATA.contains(&&kind) {
            continue;
        }
        if crc32(checked) != crc {
            return Err(PhotoError::Damaged);
        }
        out.extend_from_slice(chunk);
        match &kind {
            b"IDAT" => has_data = true,
            b"IEND" => break,
            _ => {}
        }
    }
    let (width, height) = size.ok_or(PhotoError::Damaged)?;
    if !has_data {
        return Err(PhotoError::Damaged);
    }
    Ok((out, width, height))
}

/// The CRC-32 table of PNG (and zlib), made at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// The CRC-32 of PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let crc = bytes.iter().fold(0xFFFF_FFFF_u32, |c, &b| {
        CRC_TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8)
    });
    !crc
}

// WebP: a RIFF file of chunks.

/// Chunks with metadata: EXIF, XMP and C2PA content credentials.
const WEBP_METADATA: [&[u8; 4]; 3] = [b"EXIF", b"XMP ", b"C2PA"];
/// VP8X flags saying EXIF or XMP chunks follow.
const VP8X_EXIF: u8 = 0x08;
const VP8X_XMP: u8 = 0x04;

fn clean_webp(bytes: &[u8]) -> Result<Walked, PhotoError> {
    let riff_size = u32_le(bytes, 4).ok_or(PhotoError::Damaged)?;
    let riff_end = usize::try_from(riff_size)
        .ok()
        .and_then(|size| size.checked_add(8))
        .ok_or(PhotoError::Damaged)?;
    // Anything after the RIFF file is left out.
    let body = bytes.get(12..riff_end).ok_or(PhotoError::Damaged)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let mut pos = 0;
    let mut canvas = None;
    let mut frame = None;
    let mut has_image = false;
    while pos < body.len() {
        let fourcc: [u8; 4] = take(body, pos).ok_or(PhotoError::Damaged)?;
        let size = u32_le(body, pos + 4).ok_or(PhotoError::Damaged)?;
        let data_at = pos + 8;
        let data_end = usize::try_from(size)
            .ok()
            .and_then(|size| data_at.checked_add(size))
            .ok_or(PhotoError::Damaged)?;
        let data = body.get(data_at..data_end).ok_or(PhotoError::Damaged)?;
        // Chunks are padded to an even size; a last pad byte left out is forgiven.
        pos = data_end.saturating_add(data.len() % 2).min(body.len());
        let first = out.len() == 12;
        match &fourcc {
            b"VP8X" if first => {
                let width = take::<3>(data, 4).ok_or(PhotoError::Damaged)?;
                let height = take::<3>(data, 7).ok_or(PhotoError::Damaged)?;
                canvas = Some((u24_le(width) + 1, u24_le(height) + 1));
            }
            b"VP8X" => return Err(PhotoError::Damaged),
            b"VP8 " | b"VP8L" => {
                let dims = if &fourcc == b"VP8 " {
                    vp8_size(data)
                } else {
                    vp8l_size(data)
                };
                frame = frame.or(Some(dims.ok_or(PhotoError::Damaged)?));
                has_image = true;
            }
            _ if first => return Err(PhotoError::Damaged),
            b"ANMF" => has_image = true,
            _ if WEBP_METADATA.contains(&&fourcc) => continue,
            _ => {}
        }
        let data_at = out.len() + 8;
        out.extend_from_slice(&fourcc);
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        if &fourcc == b"VP8X" {
            if let Some(flags) = out.get_mut(data_at) {
                *flags &= !(VP8X_EXIF | VP8X_XMP);
            }
        }
    }
    if !has_image {
        return Err(PhotoError::Damaged);
    }
    let riff_size = u32::try_from(out.len() - 8).map_err(|_| PhotoError::Damaged)?;
    if let Some(field) = out.get_mut(4..8) {
        field.copy_from_slice(&riff_size.to_le_bytes());
    }
    let (width, height) = canvas.or(frame).ok_or(PhotoError::Damaged)?;
    Ok((out, width, height))
}

fn u24_le([a, b, c]: [u8; 3]) -> u32 {
    u32::from_le_bytes([a, b, c, 0])
}

/// The size in a lossy (VP8) key frame's header.
fn vp8_size(data: &[u8]) -> Option<(u32, u32)> {
    let key_frame = data.first()? & 1 == 0;
    if !key_frame || data.get(3..6)? != [0x9D, 0x01, 0x2A] {
        return None;
    }
    let width = u16::from_le_bytes(take(data, 6)?) & 0x3FFF;
    let height = u16::from_le_bytes(take(data, 8)?) & 0x3FFF;
    Some((u32::from(width), u32::from(height)))
}

/// The size in a lossless (VP8L) header: signature 0x2F, then 14 bits of width - 1 and
/// 14 of height - 1.
fn vp8l_size(data: &[u8]) -> Option<(u32, u32)> {
    if *data.first()? != 0x2F {
        return None;
    }
    let bits = u32_le(data, 1)?;
    if bits >> 29 != 0 {
        return None;
    }
    Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GPS_SECRET: &[u8] = b"GPS-SECRET-48.8584N-2.2945E";
    const MAKE_SECRET: &[u8] = b"SecretCam\0";
    const XMP_SECRET: &[u8] = b"XMP-SECRET";
    const COMMENT_SECRET: &[u8] = b"COMMENT-SECRET";
    const IPTC_SECRET: &[u8] = b"IPTC-SECRET";
    const TRAILER_SECRET: &[u8] = b"TRAILER-SECRET";

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    // JPEG

    fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
        let len = u16::try_from(data.len() + 2).unwrap();
        cat(&[&[0xFF, marker], &len.to_be_bytes(), data])
    }

    /// EXIF's TIFF structure: IFD0 with a camera make, the orientation (if any) and a
    /// pointer to a GPS IFD with a latitude reference and GPS_SECRET.
    fn tiff(big_endian: bool, orientation: Option<u16>) -> Vec<u8> {
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let entries = if orientation.is_some() { 3 } else { 2 };
        let gps_at = 8 + 2 + 12 * entries + 4;
        let make_at = gps_at + 2 + 2 * 12 + 4;
        let method_at = make_at + MAKE_SECRET.len() as u32;
        let mut t = Vec::new();
        t.extend_from_slice(if big_endian { b"MM" } else { b"II" });
        t.extend(u16b(42));
        t.extend(u32b(8));
        t.extend(u16b(entries as u16));
        let mut entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            t.extend(u16b(tag));
            t.extend(u16b(kind));
            t.extend(u32b(count));
            t.extend(value);
        };
        entry(0x010F, 2, MAKE_SECRET.len() as u32, u32b(make_at));
        if let Some(o) = orientation {
            let [a, b] = u16b(o);
            entry(0x0112, 3, 1, [a, b, 0, 0]);
        }
        entry(0x8825, 4, 1, u32b(gps_at));
        t.extend(u32b(0));
        t.extend(u16b(2));
        let mut entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            t.extend(u16b(tag));
            t.extend(u16b(kind));
            t.extend(u32b(count));
            t.extend(value);
        };
        entry(0x0001, 2, 2, [b'N', 0, 0, 0]);
        entry(0x001B, 7, GPS_SECRET.len() as u32, u32b(method_at));
        t.extend(u32b(0));
        t.extend_from_slice(MAKE_SECRET);
        t.extend_from_slice(GPS_SECRET);
        t
    }

    fn jfif() -> Vec<u8> {
        segment(0xE0, b"JFIF\0\x01\x01\x00\x00\x48\x00\x48\x00\x00")
    }

    fn exif(big_endian: bool, orientation: Option<u16>) -> Vec<u8> {
        segment(0xE1, &cat(&[b"Exif\0\0", &tiff(big_endian, orientation)]))
    }

    fn xmp() -> Vec<u8> {
        let packet = cat(&[b"<x:xmpmeta>", XMP_SECRET, b"</x:xmpmeta>"]);
        segment(0xE1, &cat(&[b"http://ns.adobe.com/xap/1.0/\0", &packet]))
    }

    fn icc() -> Vec<u8> {
        segment(0xE2, b"ICC_PROFILE\0\x01\x01fake-profile")
    }

    fn adobe() -> Vec<u8> {
        segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01")
    }

    fn dqt() -> Vec<u8> {
        segment(0xDB, &cat(&[&[0], &[1; 64]]))
    }

    fn sof(width: u16, height: u16) -> Vec<u8> {
        let [h1, h2] = height.to_be_bytes();
        let [w1, w2] = width.to_be_bytes();
        segment(0xC0, &[8, h1, h2, w1, w2, 1, 1, 0x11, 0])
    }

    fn dht() -> Vec<u8> {
        segment(0xC4, &cat(&[&[0x00, 1], &[0; 15], &[0x00]]))
    }

    fn sos() -> Vec<u8> {
        segment(0xDA, &[1, 1, 0x00, 0, 63, 0])
    }

    /// Entropy-coded data with a stuffed FF and a restart marker.
    const SCAN: &[u8] = &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0x78];
    const SOI_EOI: ([u8; 2], [u8; 2]) = ([0xFF, 0xD8], [0xFF, 0xD9]);

    /// A phone's JPEG: JFIF, EXIF with GPS, XMP, a comment, IPTC, an ICC profile, MPF,
    /// Adobe, then the picture (its DQT after fill bytes), 40 × 30 as stored.
    fn phone_jpeg(big_endian: bool, orientation: Option<u16>) -> Vec<u8> {
        let (soi, eoi) = SOI_EOI;
        cat(&[
            &soi,
            &jfif(),
            &exif(big_endian, orientation),
            &xmp(),
            &segment(0xFE, COMMENT_SECRET),
            &segment(0xED, &cat(&[b"Photoshop 3.0\0", IPTC_SECRET])),
            &icc(),
            &segment(0xE2, b"MPF\0II*\0"),
            &adobe(),
            &[0xFF, 0xFF],
            &dqt(),
            &sof(40, 30),
            &dht(),
            &sos(),
            SCAN,
            &eoi,
        ])
    }

    /// What is left of [`phone_jpeg`].
    fn phone_jpeg_cleaned(orientation: Option<u16>) -> Vec<u8> {
        let (soi, eoi) = SOI_EOI;
        let app1 = match orientation {
            Some(o @ 2..=8) => segment(
                0xE1,
                &cat(&[
                    b"Exif\0\0MM\0\x2A\0\0\0\x08",
                    &[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o as u8, 0, 0],
                    &[0, 0, 0, 0],
                ]),
            ),
            _ => Vec::new(),
        };
        cat(&[
            &soi,
            &jfif(),
            &app1,
            &icc(),
            &adobe(),
            &dqt(),
            &sof(40, 30),
            &dht(),
            &sos(),
            SCAN,
            &eoi,
        ])
    }

    fn assert_no_secrets(bytes: &[u8]) {
        for secret in [
            GPS_SECRET,
            MAKE_SECRET,
            XMP_SECRET,
            COMMENT_SECRET,
            IPTC_SECRET,
            TRAILER_SECRET,
            b"GPS",
            b"EXIF",
            b"MPF",
            b"Photoshop",
            b"http://ns.adobe.com",
            b"Comment",
        ] {
            assert!(
                !contains(bytes, secret),
                "{}",
                String::from_utf8_lossy(secret)
            );
        }
    }

    /// The orientation in a cleaned JPEG's EXIF.
    fn orientation_in(jpeg: &[u8]) -> Option<u16> {
        let at = jpeg.windows(6).position(|w| w == b"Exif\0\0")?;
        exif_orientation(&jpeg[at + 6..])
    }

    fn minimal_jpeg(width: u16, height: u16) -> Vec<u8> {
        let (soi, eoi) = SOI_EOI;
        cat(&[
            &soi,
            &dqt(),
            &sof(width, height),
            &dht(),
            &sos(),
            SCAN,
            &eoi,
        ])
    }

    #[test]
    fn a_jpeg_loses_its_metadata_but_keeps_its_orientation() {
        for big_endian in [true, false] {
            let cleaned = clean(&phone_jpeg(big_endian, Some(6))).unwrap();
            assert_no_secrets(&cleaned.bytes);
            assert_eq!(cleaned.bytes, phone_jpeg_cleaned(Some(6)));
            assert_eq!(cleaned.kind, PhotoType::Jpeg);
            // Turned a quarter: 40 × 30 stored, 30 × 40 shown.
            assert_eq!((cleaned.width, cleaned.height), (30, 40));
            assert_eq!(orientation_in(&cleaned.bytes), Some(6));
        }
        for orientation in 2..=8 {
            let cleaned = clean(&phone_jpeg(false, Some(orientation))).unwrap();
            assert_eq!(cleaned.bytes, phone_jpeg_cleaned(Some(orientation)));
            let swapped = orientation >= 5;
            let size = if swapped { (30, 40) } else { (40, 30) };
            assert_eq!((cleaned.width, cleaned.height), size);
        }
    }

    #[test]
    fn a_jpeg_without_an_orientation_gets_no_exif() {
        for orientation in [None, Some(0), Some(1), Some(9)] {
            let cleaned = clean(&phone_jpeg(true, orientation)).unwrap();
            assert_no_secrets(&cleaned.bytes);
            assert_eq!(cleaned.bytes, phone_jpeg_cleaned(None));
            assert!(!contains(&cleaned.bytes, &[0xFF, 0xE1]));
            assert_eq!((cleaned.width, cleaned.height), (40, 30));
        }
        let plain = minimal_jpeg(640, 480);
        let cleaned = clean(&plain).unwrap();
        assert_eq!(cleaned.bytes, plain);
        assert_eq!((cleaned.width, cleaned.height), (640, 480));
    }

    #[test]
    fn only_the_first_exif_counts() {
        let (soi, eoi) = SOI_EOI;
        let jpeg = cat(&[
            &soi,
            &exif(true, Some(3)),
            &exif(false, Some(6)),
            &dqt(),
            &sof(40, 30),
            &sos(),
            SCAN,
            &eoi,
        ]);
        let cleaned = clean(&jpeg).unwrap();
        assert_eq!((cleaned.width, cleaned.height), (40, 30));
        assert_eq!(orientation_in(&cleaned.bytes), Some(3));
        assert_eq!(
            cleaned
                .bytes
                .windows(2)
                .filter(|w| w == &[0xFF, 0xE1])
                .count(),
            1
        );
    }

    #[test]
    fn a_jfif_thumbnail_and_other_app0_are_left_out() {
        let (soi, eoi) = SOI_EOI;
        let thumbnail = segment(
            0xE0,
            b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\x01\x01\xAA\xBB\xCC",
        );
        let jfxx = segment(0xE0, b"JFXX\0\x10thumbnail-jpeg");
        let jpeg = cat(&[
            &soi,
            &thumbnail,
            &jfxx,
            &dqt(),
            &sof(4, 3),
            &sos(),
            SCAN,
            &eoi,
        ]);
        let cleaned = clean(&jpeg).unwrap();
        let kept_jfif = segment(0xE0, b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\x00\x00");
        assert_eq!(
            cleaned.bytes,
            cat(&[&soi, &kept_jfif, &dqt(), &sof(4, 3), &sos(), SCAN, &eoi])
        );
    }

    #[test]
    fn a_progressive_jpeg_keeps_its_scans_and_loses_what_is_between_them() {
        let (soi, eoi) = SOI_EOI;
        // An EOI inside a comment before the first scan is not the end.
        let fake_end = segment(0xFE, &[0xFF, 0xD9, b'x']);
        let jpeg = cat(&[
            &soi,
            &fake_end,
            &dqt(),
            &segment(0xC2, &[8, 0, 30, 0, 40, 1, 1, 0x11, 0]),
            &dht(),
            &sos(),
            SCAN,
            // Fill bytes, then a comment to drop.
            &[0xFF, 0xFF],
            &segment(0xFE, &cat(&[COMMENT_SECRET, &[0xFF, 0xD9]])),
            &dht(),
            &exif(true, Some(6)),
            &[0xFF, 0xFF, 0xFF],
            &sos(),
            SCAN,
            &[0xFF, 0x01],
            &eoi,
            TRAILER_SECRET,
            &eoi,
        ]);
        let cleaned = clean(&jpeg).unwrap();
        assert_no_secrets(&cleaned.bytes);
        let expected = cat(&[
            &soi,
            &dqt(),
            &segment(0xC2, &[8, 0, 30, 0, 40, 1, 1, 0x11, 0]),
            &dht(),
            &sos(),
            SCAN,
            &dht(),
            &sos(),
            SCAN,
            &[0xFF, 0x01],
            &eoi,
        ]);
        assert_eq!(cleaned.bytes, expected);
        assert_eq!(clean(&cleaned.bytes), Ok(cleaned.clone()));
        // The EXIF after the first scan does not turn the picture.
        assert_eq!((cleaned.width, cleaned.height), (40, 30));
    }

    #[test]
    fn a_broken_jpeg_is_damaged() {
        let (soi, eoi) = SOI_EOI;
        let cases: Vec<Vec<u8>> = vec![
            // No frame header before the scan.
            cat(&[&soi, &dqt(), &sos(), SCAN, &eoi]),
            // No end.
            cat(&[&soi, &dqt(), &sof(4, 3), &sos(), SCAN]),
            // Ends before any scan.
            cat(&[&soi, &dqt(), &sof(4, 3), &eoi]),
            // A segment longer than the file.
            cat(&[&soi, &[0xFF, 0xE1, 0xFF, 0xFF, 0]]),
            // A length below 2.
            cat(&[&soi, &[0xFF, 0xDB, 0, 1], &sof(4, 3), &sos(), SCAN, &eoi]),
            // Bytes between segments.
            cat(&[&soi, &dqt(), &[0x00], &sof(4, 3), &sos(), SCAN, &eoi]),
            // A second start of image.
            cat(&[&soi, &soi, &dqt(), &sof(4, 3), &sos(), SCAN, &eoi]),
            // A frame header too short for a size.
            cat(&[&soi, &segment(0xC0, &[8, 0]), &sos(), SCAN, &eoi]),
        ];
        for case in cases {
            assert_eq!(clean(&case), Err(PhotoError::Damaged), "{case:02X?}");
        }
    }

    // PNG

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let len = u32::try_from(data.len()).unwrap();
        let crc = crc32(&cat(&[kind, data]));
        cat(&[&len.to_be_bytes(), kind, data, &crc.to_be_bytes()])
    }

    fn ihdr(width: u32, height: u32) -> Vec<u8> {
        chunk(
            b"IHDR",
            &cat(&[
                &width.to_be_bytes(),
                &height.to_be_bytes(),
                &[8, 2, 0, 0, 0],
            ]),
        )
    }

    fn phys() -> Vec<u8> {
        chunk(b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1])
    }

    fn idat() -> Vec<u8> {
        chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
        )
    }

    fn iend() -> Vec<u8> {
        chunk(b"IEND", &[])
    }

    fn phone_png() -> Vec<u8> {
        cat(&[
            &PNG_SIGNATURE,
            &ihdr(40, 30),
            &chunk(b"tEXt", &cat(&[b"Comment\0", GPS_SECRET])),
            &chunk(b"eXIf", &tiff(true, Some(6))),
            &phys(),
            &chunk(b"iTXt", &cat(&[b"XML:com.adobe.xmp\0\0\0\0\0", XMP_SECRET])),
            &chunk(b"zTXt", &cat(&[b"Comment\0\0", COMMENT_SECRET])),
            &chunk(b"tIME", &[0x07, 0xEA, 1, 2, 3, 4, 5]),
            &idat(),
            &chunk(b"tEXt", &cat(&[b"Comment\0", IPTC_SECRET])),
            &idat(),
            &iend(),
        ])
    }

    #[test]
    fn a_png_loses_its_metadata_chunks() {
        let png = cat(&[&phone_png(), TRAILER_SECRET]);
        let cleaned = clean(&png).unwrap();
        assert_no_secrets(&cleaned.bytes);
        assert!(!contains(&cleaned.bytes, b"tIME"));
        let expected = cat(&[
            &PNG_SIGNATURE,
            &ihdr(40, 30),
            &phys(),
            &idat(),
            &idat(),
            &iend(),
        ]);
        assert_eq!(cleaned.bytes, expected);
        assert_eq!(cleaned.kind, PhotoType::Png);
        assert_eq!((cleaned.width, cleaned.height), (40, 30));
    }

    #[test]
    fn crc32_is_pngs() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn a_broken_png_is_damaged() {
        let mut bad_crc = cat(&[&PNG_SIGNATURE, &ihdr(4, 3), &idat(), &iend()]);
        let at = PNG_SIGNATURE.len() + 8 + 13 + 12 + 9;
        bad_crc[at] ^= 1;
        let cases: Vec<Vec<u8>> = vec![
            cat(&[&PNG_SIGNATURE, &ihdr(4, 3), &idat()]),
            cat(&[&PNG_SIGNATURE, &idat(), &ihdr(4, 3), &iend()]),
            cat(&[&PNG_SIGNATURE, &ihdr(4, 3), &iend()]),
            cat(&[&PNG_SIGNATURE, &ihdr(4, 3), &ihdr(4, 3), &idat(), &iend()]),
            cat(&[&PNG_SIGNATURE, &chunk(b"IHDR", &[0; 12]), &idat(), &iend()]),
            cat(&[&PNG_SIGNATURE, &ihdr(4, 3), &[0xFF; 8], &iend()]),
            cat(&[
                &PNG_SIGNATURE,
                &ihdr(4, 3),
                &chunk(b"ID4T", &[]),
                &idat(),
                &iend(),
            ]),
            bad_crc,
        ];
        for case in cases {
            assert_eq!(clean(&case), Err(PhotoError::Damaged), "{case:02X?}");
        }
    }

    // WebP

    fn riff_chunk(fourcc: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let size = u32::try_from(data.len()).unwrap();
        let pad: &[u8] = if data.len() % 2 == 1 { &[0] } else { &[] };
        cat(&[fourcc, &size.to_le_bytes(), data, pad])
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body = chunks.concat();
        let size = u32::try_from(body.len() + 4).unwrap();
        cat(&[b"RIFF", &size.to_le_bytes(), b"WEBP", &body])
    }

    fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
        let w = (width - 1).to_le_bytes();
        let h = (height - 1).to_le_bytes();
        riff_chunk(
            b"VP8X",
            &[flags, 0, 0, 0, w[0], w[1], w[2], h[0], h[1], h[2]],
        )
    }

    fn vp8l(width: u32, height: u32) -> Vec<u8> {
        let bits = (width - 1) | ((height - 1) << 14) | (1 << 28);
        riff_chunk(
            b"VP8L",
            &cat(&[&[0x2F], &bits.to_le_bytes(), &[0x88, 0x88, 0x08]]),
        )
    }

    fn vp8(width: u16, height: u16) -> Vec<u8> {
        let frame = cat(&[
            &[0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A],
            &width.to_le_bytes(),
            &height.to_le_bytes(),
            &[0x01, 0x02, 0x03],
        ]);
        riff_chunk(b"VP8 ", &frame)
    }

    const ALPHA: u8 = 0x10;

    fn phone_webp() -> Vec<u8> {
        riff(&[
            vp8x(ALPHA | VP8X_EXIF | VP8X_XMP, 400, 300),
            riff_chunk(b"ALPH", &[0, 1, 2]),
            vp8(400, 300),
            riff_chunk(b"EXIF", &cat(&[&tiff(false, Some(6)), b"x"])),
            riff_chunk(
                b"XMP ",
                &cat(&[b"<x:xmpmeta>", XMP_SECRET, b"</x:xmpmeta>"]),
            ),
        ])
    }

    #[test]
    fn a_webp_loses_its_metadata_chunks_and_flags() {
        let webp = cat(&[&phone_webp(), TRAILER_SECRET]);
        let cleaned = clean(&webp).unwrap();
        assert_no_secrets(&cleaned.bytes);
        assert!(!contains(&cleaned.bytes, b"XMP "));
        let expected = riff(&[
            vp8x(ALPHA, 400, 300),
            riff_chunk(b"ALPH", &[0, 1, 2]),
            vp8(400, 300),
        ]);
        assert_eq!(cleaned.bytes, expected);
        let riff_size = u32_le(&cleaned.bytes, 4).unwrap();
        assert_eq!(riff_size as usize, cleaned.bytes.len() - 8);
        assert_eq!(cleaned.kind, PhotoType::Webp);
        assert_eq!((cleaned.width, cleaned.height), (400, 300));
    }

    #[test]
    fn a_simple_webp_has_the_size_of_its_frame() {
        let lossless = clean(&riff(&[vp8l(321, 123)])).unwrap();
        assert_eq!(lossless.bytes, riff(&[vp8l(321, 123)]));
        assert_eq!((lossless.width, lossless.height), (321, 123));
        let lossy = clean(&riff(&[vp8(640, 480)])).unwrap();
        assert_eq!((lossy.width, lossy.height), (640, 480));
        let extended = riff(&[
            vp8x(VP8X_XMP, 16, 9),
            vp8l(16, 9),
            riff_chunk(b"XMP ", b"x"),
        ]);
        let cleaned = clean(&extended).unwrap();
        assert_eq!(cleaned.bytes, riff(&[vp8x(0, 16, 9), vp8l(16, 9)]));
        assert_eq!((cleaned.width, cleaned.height), (16, 9));
    }

    #[test]
    fn a_broken_webp_is_damaged() {
        let mut inter_frame = riff(&[vp8(640, 480)]);
        inter_frame[20] |= 1;
        let mut riff_too_long = riff(&[vp8l(4, 3)]);
        riff_too_long[4] += 2;
        let cases: Vec<Vec<u8>> = vec![
            riff(&[]),
            riff(&[vp8x(0, 4, 3)]),
            riff(&[vp8x(0, 4, 3), riff_chunk(b"EXIF", b"x")]),
            riff(&[riff_chunk(b"EXIF", b"x"), vp8l(4, 3)]),
            riff(&[vp8l(4, 3), vp8x(0, 4, 3)]),
            riff(&[riff_chunk(b"VP8L", &[0x2E, 0, 0, 0, 0])]),
            riff(&[riff_chunk(
                b"VP8 ",
                &[0x50, 0x02, 0x00, 0x9D, 0x01, 0x2B, 1, 0, 1, 0],
            )]),
            riff(&[riff_chunk(b"VP8X", &[0; 9]), vp8l(4, 3)]),
            inter_frame,
            riff_too_long,
        ];
        for case in cases {
            assert_eq!(clean(&case), Err(PhotoError::Damaged), "{case:02X?}");
        }
    }

    // All kinds

    fn valid_images() -> Vec<Vec<u8>> {
        vec![
            phone_jpeg(true, Some(6)),
            phone_jpeg(false, None),
            minimal_jpeg(4, 3),
            phone_png(),
            cat(&[&PNG_SIGNATURE, &ihdr(4, 3), &idat(), &iend()]),
            phone_webp(),
            riff(&[vp8l(4, 3)]),
            riff(&[vp8(4, 3)]),
        ]
    }

    #[test]
    fn cleaning_twice_changes_nothing() {
        for image in valid_images() {
            let once = clean(&image).unwrap();
            assert_eq!(clean(&once.bytes), Ok(once));
        }
    }

    #[test]
    fn other_files_are_not_images() {
        let cases: [&[u8]; 10] = [
            b"",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xFF\xFF\xFF\x00\x00\x00!\xF9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n",
            b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
            b"RIFF\x24\x00\x00\x00WAVEfmt ",
            b"BM\x3A\x00\x00\x00",
            b"\xFF\xD8",
            b"\x89PNG\r\n\x1A",
            b"RIFF\x04\x00\x00\x00WEB",
        ];
        for case in cases {
            assert_eq!(clean(case), Err(PhotoError::NotAnImage), "{case:02X?}");
        }
    }

    #[test]
    fn every_cut_short_image_is_turned_down() {
        for image in valid_images() {
            for len in 0..image.len() {
                assert!(clean(&image[..len]).is_err(), "{len} of {image:02X?}");
            }
        }
    }

    #[test]
    fn sides_are_between_1_and_max_side() {
        let side_ok = |result: Result<Cleaned, PhotoError>| result.map(|c| (c.width, c.height));
        assert_eq!(side_ok(clean(&minimal_jpeg(12_000, 1))), Ok((12_000, 1)));
        assert_eq!(side_ok(clean(&minimal_jpeg(1, 12_000))), Ok((1, 12_000)));
        let png = |w, h| cat(&[&PNG_SIGNATURE, &ihdr(w, h), &idat(), &iend()]);
        assert_eq!(side_ok(clean(&png(12_000, 12_000))), Ok((12_000, 12_000)));
        assert_eq!(side_ok(clean(&riff(&[vp8l(12_000, 2)]))), Ok((12_000, 2)));
        let too_many = [
            minimal_jpeg(0, 30),
            minimal_jpeg(40, 0),
            minimal_jpeg(12_001, 30),
            minimal_jpeg(u16::MAX, u16::MAX),
            png(0, 30),
            png(40, 12_001),
            png(0x7FFF_FFFF, 1),
            png(u32::MAX, u32::MAX),
            riff(&[vp8x(0, 16_384, 1), vp8l(4, 3)]),
            riff(&[vp8x(0, 1 << 24, 1 << 24), vp8l(4, 3)]),
            riff(&[vp8l(16_384, 16_384)]),
            riff(&[vp8(0, 480)]),
            riff(&[vp8(12_001, 480)]),
        ];
        for case in too_many {
            assert_eq!(clean(&case), Err(PhotoError::TooManyPixels), "{case:02X?}");
        }
    }

    #[test]
    fn a_photo_above_max_bytes_is_too_large() {
        let mut big = minimal_jpeg(4, 3);
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(clean(&big), Err(PhotoError::TooLarge));
        let mut at_limit = vec![0u8; MAX_BYTES];
        assert_eq!(clean(&at_limit), Err(PhotoError::NotAnImage));
        // Data after the end is left out, so an image right at the limit is taken.
        at_limit[..minimal_jpeg(4, 3).len()].copy_from_slice(&minimal_jpeg(4, 3));
        assert_eq!(clean(&at_limit).unwrap().bytes, minimal_jpeg(4, 3));
    }

    #[test]
    fn mutated_images_never_panic() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for image in valid_images() {
            for _ in 0..3_000 {
                let mut bytes = image.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() % bytes.len().max(1) as u64) as usize;
                    match next() % 6 {
                        0 if at < bytes.len() => bytes[at] = next() as u8,
                        1 if at < bytes.len() => bytes[at] ^= 1 << (next() % 8),
                        2 => bytes.insert(at.min(bytes.len()), next() as u8),
                        3 if at < bytes.len() => {
                            bytes.remove(at);
                        }
                        4 => bytes.truncate(at),
                        _ if at < bytes.len() => bytes[at] = [0x00, 0xFF, 0x7F, 0x80][at % 4],
                        _ => {}
                    }
                }
                if let Ok(cleaned) = clean(&bytes) {
                    // Whatever is taken is taken again unchanged.
                    assert_eq!(clean(&cleaned.bytes), Ok(cleaned), "{bytes:02X?}");
                }
            }
        }
    }

    #[test]
    fn kinds_and_errors_have_names() {
        for kind in [PhotoType::Jpeg, PhotoType::Png, PhotoType::Webp] {
            assert_eq!(PhotoType::parse(kind.as_str()), Some(kind));
            assert!(kind.content_type().starts_with("image/"));
        }
        assert_eq!(PhotoType::parse("gif"), None);
        assert_eq!(PhotoType::parse("JPEG"), None);
        assert_eq!(PhotoType::Webp.content_type(), "image/webp");
        let errors = [
            PhotoError::TooLarge,
            PhotoError::NotAnImage,
            PhotoError::Damaged,
            PhotoError::TooManyPixels,
        ];
        let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                "photo_too_large",
                "photo_type",
                "photo_damaged",
                "photo_size"
            ]
        );
        for error in errors {
            assert!(error.message().ends_with('.'));
        }
    }
}
