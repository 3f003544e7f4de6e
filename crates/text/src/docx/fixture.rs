//! Writing small `.docx` files for tests (feature `testing`): the unit tests here and the
//! upload tests of the CLI build their inputs with [`DocxBuilder`] instead of shipping binaries.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

/// Styles as Chinese Word writes them: ids `1`, `2`, `a3`, English built-in names.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/><w:basedOn w:val="a"/></w:style></w:styles>"#;

const DOCUMENT_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>"#;
const DOCUMENT_END: &str = r#"<w:sectPr/></w:body></w:document>"#;

/// Builds a `.docx` paragraph by paragraph.
#[derive(Debug, Clone, Default)]
pub struct DocxBuilder {
    body: String,
    core: Option<(String, String)>,
    images: Vec<(String, Vec<u8>)>,
}

impl DocxBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A paragraph in the `Title` style (Chinese Word's id `a3`).
    pub fn title(self, text: &str) -> Self {
        self.styled("a3", text)
    }

    /// A paragraph in style `heading 1` or `heading 2` (ids `1`, `2`).
    pub fn heading(self, level: u8, text: &str) -> Self {
        self.styled(&level.to_string(), text)
    }

    /// A paragraph in the given style id.
    pub fn styled(mut self, style: &str, text: &str) -> Self {
        self.body.push_str(&format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{}"/><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>{}</w:p>"#,
            escape(style),
            run(text)
        ));
        self
    }

    /// A plain paragraph; `\t` and `\n` in `text` become `w:tab` and `w:br`.
    pub fn paragraph(mut self, text: &str) -> Self {
        self.body.push_str(&format!("<w:p>{}</w:p>", run(text)));
        self
    }

    /// A table, one paragraph per cell.
    pub fn table(mut self, rows: &[&[&str]]) -> Self {
        self.body.push_str("<w:tbl><w:tblPr/>");
        for row in rows {
            self.body.push_str("<w:tr>");
            for cell in *row {
                self.body
                    .push_str(&format!("<w:tc><w:p>{}</w:p></w:tc>", run(cell)));
            }
            self.body.push_str("</w:tr>");
        }
        self.body.push_str("</w:tbl>");
        self
    }

    /// Body XML as is, for constructs the other methods do not make (`w:del`, fields).
    pub fn raw(mut self, xml: &str) -> Self {
        self.body.push_str(xml);
        self
    }

    /// `docProps/core.xml` with this title and creation time (`2021-03-05T08:00:00Z`).
    pub fn core(mut self, title: &str, created: &str) -> Self {
        self.core = Some((title.to_owned(), created.to_owned()));
        self
    }

    /// An image under `word/media/`.
    pub fn image(mut self, name: &str, bytes: &[u8]) -> Self {
        self.images.push((name.to_owned(), bytes.to_vec()));
        self
    }

    /// The `.docx` bytes.
    pub fn build(&self) -> std::io::Result<Vec<u8>> {
        self.build_padded(0)
    }

    /// The `.docx` with `padding` bytes of XML whitespace at the end of `word/document.xml`,
    /// written in chunks: a document part that inflates to any size, for the limit tests.
    pub fn build_padded(&self, padding: u64) -> std::io::Result<Vec<u8>> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let put = |zip: &mut ZipWriter<_>, name: &str, bytes: &[u8]| -> std::io::Result<()> {
            zip.start_file(name, options())?;
            zip.write_all(bytes)
        };
        put(&mut zip, "[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        put(&mut zip, "_rels/.rels", PACKAGE_RELS.as_bytes())?;
        put(&mut zip, "word/styles.xml", STYLES.as_bytes())?;
        if let Some((title, created)) = &self.core {
            let core = format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dcterms:created xsi:type="dcterms:W3CDTF">{}</dcterms:created></cp:coreProperties>"#,
                escape(title),
                escape(created)
            );
            put(&mut zip, "docProps/core.xml", core.as_bytes())?;
        }
        for (name, bytes) in &self.images {
            put(&mut zip, &format!("word/media/{name}"), bytes)?;
        }
        zip.start_file("word/document.xml", options())?;
        zip.write_all(DOCUMENT_START.as_bytes())?;
        zip.write_all(self.body.as_bytes())?;
        let chunk = vec![b' '; 1 << 20];
        let mut left = padding;
        while left > 0 {
            let n = left.min(chunk.len() as u64);
            zip.write_all(&chunk[..n as usize])?;
            left -= n;
        }
        zip.write_all(DOCUMENT_END.as_bytes())?;
        Ok(zip.finish()?.into_inner())
    }
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// One run of text with tabs and line breaks as Word writes them.
fn run(text: &str) -> String {
    let mut xml = String::from("<w:r>");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            xml.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                xml.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                xml.push_str(&format!(
                    r#"<w:t xml:space="preserve">{}</w:t>"#,
                    escape(piece)
                ));
            }
        }
    }
    xml.push_str("</w:r>");
    xml
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
