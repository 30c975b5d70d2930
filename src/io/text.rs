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

/// Decode a whole file. The error says what was expected.
pub fn decode(bytes: Vec<u8>, encoding: Encoding) -> Result<String, String> {
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
        Encoding::Utf8 => utf8(bytes).map_err(|(_, at)| {
            format!("invalid UTF-8 at byte {at}; expected UTF-8 text (or use --encoding gb18030)")
        }),
        Encoding::Gb18030 => gb18030(&bytes)
            .ok_or_else(|| "invalid GB18030 text; expected a GB18030/GBK encoded file".to_string()),
        Encoding::Auto => match utf8(bytes) {
            Ok(s) => Ok(s),
            Err((bytes, at)) => gb18030(&bytes).ok_or_else(|| {
                format!("neither UTF-8 (invalid byte at {at}) nor GB18030; expected UTF-8 or GB18030 text")
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
        assert!(err.contains("invalid UTF-8 at byte 0"), "{err}");
    }
}
