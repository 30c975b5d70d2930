//! Decoding input text. Planners save CSV from Excel, which on Chinese
//! Windows writes GB18030/GBK, and with "CSV UTF-8" prepends a byte-order
//! mark; both must read exactly like plain UTF-8.

use std::str::FromStr;

/// How input files are encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GB18030.
    #[default]
    Auto,
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(Encoding::Gb18030),
            other => Err(format!(
                "unknown encoding `{other}`; expected auto, utf-8 or gb18030"
            )),
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file that cannot be decoded: the physical line of the first bad byte
/// (what a planner can find in an editor) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub line: usize,
    pub message: String,
}

/// Byte offset of the first byte GB18030 cannot decode, if any.
fn gb18030_error_at(bytes: &[u8]) -> Option<usize> {
    let mut dec = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        dec.max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    match dec.decode_to_string_without_replacement(bytes, &mut out, true) {
        (encoding_rs::DecoderResult::Malformed(bad, after), read) => {
            Some(read.saturating_sub(usize::from(bad) + usize::from(after)))
        }
        _ => None,
    }
}

/// The physical line (1-based) of a byte offset in raw file bytes.
pub fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    let upto = &bytes[..offset.min(bytes.len())];
    let mut line = 1;
    let mut i = 0;
    while i < upto.len() {
        match upto[i] {
            b'\n' => line += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
        i += 1;
    }
    line
}

/// Decode a whole file. The error names the line of the first bad byte and
/// says what was expected.
pub fn decode(bytes: Vec<u8>, encoding: Encoding) -> Result<String, DecodeError> {
    let utf8 = |mut bytes: Vec<u8>| {
        if bytes.starts_with(UTF8_BOM) {
            bytes.drain(..UTF8_BOM.len());
        }
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            (e.into_bytes(), at)
        })
    };
    let gb18030 = |bytes: &[u8]| {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned())
    };
    match encoding {
        Encoding::Utf8 => utf8(bytes).map_err(|(bytes, at)| DecodeError {
            line: line_of_offset(&bytes, at),
            message: "invalid UTF-8; expected UTF-8 text (or use --encoding gb18030)".into(),
        }),
        Encoding::Gb18030 => gb18030(&bytes).ok_or_else(|| DecodeError {
            line: line_of_offset(&bytes, gb18030_error_at(&bytes).unwrap_or(0)),
            message: "invalid GB18030 text; expected a GB18030/GBK encoded file (or use --encoding utf-8)".into(),
        }),
        Encoding::Auto => match utf8(bytes) {
            Ok(s) => Ok(s),
            Err((bytes, at)) => gb18030(&bytes).ok_or_else(|| {
                let gb = gb18030_error_at(&bytes).unwrap_or(0);
                DecodeError {
                    line: line_of_offset(&bytes, at),
                    message: format!(
                        "neither UTF-8 (first bad byte on this line) nor GB18030 (first bad byte on line {}); expected UTF-8 or GB18030 text",
                        line_of_offset(&bytes, gb)
                    ),
                }
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped() {
        let s = decode(b"\xEF\xBB\xBFa,b\n".to_vec(), Encoding::Auto).unwrap();
        assert_eq!(s, "a,b\n");
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("天昌小学,龙潭区");
        let s = decode(bytes.into_owned(), Encoding::Auto).unwrap();
        assert_eq!(s, "天昌小学,龙潭区");
    }

    #[test]
    fn forced_utf8_rejects_gbk() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("天昌");
        let err = decode(bytes.into_owned(), Encoding::Utf8).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("invalid UTF-8"), "{err:?}");
    }

    /// An undecodable file names the physical line of the bad byte, with
    /// any line ending.
    #[test]
    fn bad_bytes_name_their_line() {
        for nl in ["\n", "\r\n", "\r"] {
            let mut b = format!("a,b{nl}1,2{nl}3,").into_bytes();
            b.extend_from_slice(&[0xff, 0xff, 0xff]);
            b.extend_from_slice(format!("{nl}5,6{nl}").as_bytes());
            let err = decode(b.clone(), Encoding::Auto).unwrap_err();
            assert_eq!(err.line, 3, "{nl:?} {err:?}");
            assert!(err.message.contains("on line 3"), "{err:?}");
            assert_eq!(decode(b.clone(), Encoding::Utf8).unwrap_err().line, 3);
            assert_eq!(decode(b, Encoding::Gb18030).unwrap_err().line, 3);
        }
    }
}
