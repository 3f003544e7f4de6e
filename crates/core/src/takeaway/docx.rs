//! The .docx a reader takes away, laid out as GB/T 9704-2012 (党政机关公文格式) asks: A4, the
//! standard margins, a 2号 小标宋 title, 3号 仿宋 body at 22 lines a page, 公文 headings in their
//! fonts, "— 1 —" page numbers. Written with docx-rs; what it cannot say (fallback font names in
//! the font table) is patched into the package afterwards (see [`with_font_table`]).

use std::io::{Cursor, Write};

use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph as DocxParagraph, Run, RunFonts, SpecialIndentType, Table,
    TableAlignmentType, TableCell, TableRow,
};
use wenyuan_text::Layout;

use super::{ending_lines, TakeawayText};
use crate::reading::Paragraph;

/// A4 in twips (1/1440 inch): 210 × 297 mm.
pub const PAGE_WIDTH: u32 = 11_906;
pub const PAGE_HEIGHT: u32 = 16_838;
/// Margins in twips: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (1 mm = 56.69 twips).
pub const MARGIN_TOP: i32 = 2_098;
pub const MARGIN_BOTTOM: i32 = 1_984;
pub const MARGIN_LEFT: i32 = 1_587;
pub const MARGIN_RIGHT: i32 = 1_474;
/// Exact line pitch: the 225 mm text block divided into 22 lines is 28.95 pt = 579 twips.
pub const LINE_PITCH: i32 = 579;
/// Font sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
pub const TITLE_SIZE: usize = 44;
pub const BODY_SIZE: usize = 32;
pub const PAGE_NUMBER_SIZE: usize = 28;
/// Tables in 4号 (14 pt), as 公文 tables usually are, so three or four columns fit the width.
pub const TABLE_SIZE: usize = 28;
/// Two characters of 3号 text, the first-line indent, in twips.
const INDENT_TWO_CHARS: i32 = 640;
/// Where the page number sits above the bottom edge: GB/T 9704 puts it 7 mm below the text block
/// (35 mm − 7 mm = 28 mm ≈ 1588 twips).
const FOOTER_DISTANCE: i32 = 1_588;

pub const TITLE_FONT: &str = "方正小标宋简体";
pub const BODY_FONT: &str = "仿宋_GB2312";
pub const LEVEL1_FONT: &str = "黑体";
pub const LEVEL2_FONT: &str = "楷体_GB2312";
/// Latin text and digits: 公文 practice sets them in Times New Roman.
const LATIN_FONT: &str = "Times New Roman";
const PAGE_NUMBER_FONT: &str = "宋体";

/// Each east-Asian font the file names, with the fallback a machine without it should use
/// (`w:altName`) and the font's family: Word and LibreOffice read these from the font table.
const FONT_TABLE: &[(&str, &str, &str)] = &[
    (TITLE_FONT, "小标宋", "script"),
    ("小标宋", "宋体", "script"),
    (BODY_FONT, "仿宋", "modern"),
    (LEVEL1_FONT, "SimHei", "modern"),
    (LEVEL2_FONT, "楷体", "modern"),
    (PAGE_NUMBER_FONT, "SimSun", "auto"),
    (LATIN_FONT, "Times New Roman", "roman"),
];

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
        .cs(LATIN_FONT)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact_lines() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE_PITCH)
        .before(0)
        .after(0)
}

/// A body paragraph: first line indented two characters, justified, fixed line pitch.
fn body_paragraph() -> DocxParagraph {
    DocxParagraph::new()
        .align(AlignmentType::Both)
        .line_spacing(exact_lines())
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(INDENT_TWO_CHARS)),
            None,
            None,
        )
}

/// The font of a 公文 heading: 一、 黑体, （一） 楷体, 1. and （1） the body font.
fn heading_font(level: u8) -> &'static str {
    match level {
        1 => LEVEL1_FONT,
        2 => LEVEL2_FONT,
        _ => BODY_FONT,
    }
}

fn paragraph(p: &Paragraph) -> DocxParagraph {
    let mut out = body_paragraph();
    if let Some(level) = p.level {
        let heading = format!("{}{}", p.heading, p.joint);
        out = out
            .add_run(run(&heading, heading_font(level), BODY_SIZE))
            // Word's navigation pane lists headings by outline level (0-based).
            .outline_lvl(usize::from(level.saturating_sub(1)));
        if !p.text.is_empty() {
            out = out.add_run(run(&p.text, BODY_FONT, BODY_SIZE));
        }
        out
    } else {
        out.add_run(run(&p.text, BODY_FONT, BODY_SIZE))
    }
}

/// The date line and 落款: right-aligned, kept two characters from the right edge as 公文 do.
fn right_aligned(text: &str) -> DocxParagraph {
    DocxParagraph::new()
        .align(AlignmentType::Right)
        .line_spacing(exact_lines())
        .indent(None, None, Some(INDENT_TWO_CHARS), None)
        .add_run(run(text, BODY_FONT, BODY_SIZE))
}

/// A centred line of the original (the date under the title): centred, no first-line indent.
fn centred(text: &str) -> DocxParagraph {
    DocxParagraph::new()
        .align(AlignmentType::Center)
        .line_spacing(exact_lines())
        .add_run(run(text, BODY_FONT, BODY_SIZE))
}

/// Rows of a table from the original, in the body font; the first row in 黑体 when it is the
/// table's header row.
fn table(rows: &[&Paragraph]) -> Table {
    let columns = rows
        .iter()
        .filter_map(|r| r.cells.as_ref().map(Vec::len))
        .max()
        .unwrap_or(1);
    let rows = rows
        .iter()
        .map(|row| {
            let font = match row.layout {
                Layout::TableStart => LEVEL1_FONT,
                _ => BODY_FONT,
            };
            let cells = row.cells.as_deref().unwrap_or_default();
            TableRow::new(
                (0..columns)
                    .map(|i| {
                        let text = cells.get(i).map_or("", String::as_str);
                        TableCell::new().add_paragraph(
                            DocxParagraph::new()
                                .line_spacing(exact_lines())
                                .add_run(run(text, font, TABLE_SIZE)),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    Table::new(rows).align(TableAlignmentType::Center)
}

/// "— 1 —": the number is a PAGE field, so every page shows its own.
fn page_number_footer() -> Footer {
    let dash = |text: &str| run(text, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE);
    let field = Run::new()
        .fonts(fonts(PAGE_NUMBER_FONT))
        .size(PAGE_NUMBER_SIZE)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    Footer::new().add_paragraph(
        DocxParagraph::new()
            .align(AlignmentType::Center)
            .add_run(dash("— "))
            .add_run(field)
            .add_run(dash(" —")),
    )
}

/// The whole document as a .docx file.
pub fn gongwen_docx(doc: &TakeawayText<'_>) -> std::io::Result<Vec<u8>> {
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(FOOTER_DISTANCE),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        .footer(page_number_footer())
        .add_paragraph(
            DocxParagraph::new()
                .align(AlignmentType::Center)
                .line_spacing(
                    LineSpacing::new()
                        .line_rule(LineSpacingType::Exact)
                        .line(LINE_PITCH * 3 / 2),
                )
                .add_run(run(doc.title, TITLE_FONT, TITLE_SIZE)),
        )
        // 标题下空一行.
        .add_paragraph(DocxParagraph::new().line_spacing(exact_lines()));
    let (body, ending) = ending_lines(doc.paragraphs);
    let mut rows: Vec<&Paragraph> = Vec::new();
    for p in body {
        // A table is written when its last row has been seen.
        if !rows.is_empty() && (p.cells.is_none() || p.layout == Layout::TableStart) {
            docx = docx.add_table(table(&std::mem::take(&mut rows)));
        }
        if p.cells.is_some() {
            rows.push(p);
            continue;
        }
        docx = match p.layout {
            Layout::Centre if p.level.is_none() => docx.add_paragraph(centred(&p.text)),
            Layout::Right if p.level.is_none() => docx.add_paragraph(right_aligned(&p.text)),
            _ => docx.add_paragraph(paragraph(p)),
        };
    }
    if !rows.is_empty() {
        docx = docx.add_table(table(&rows));
    }
    for p in ending {
        docx = docx.add_paragraph(right_aligned(&p.full_text()));
    }
    let mut packed = Cursor::new(Vec::new());
    docx.pack(&mut packed).map_err(std::io::Error::other)?;
    with_font_table(&packed.into_inner())
}

/// The font table with our fonts and their fallbacks. docx-rs writes a fixed table (Times New
/// Roman, Symbol, Arial) and has no way to add fonts or `w:altName`, so the package is copied
/// entry by entry (compressed data untouched) with `word/fontTable.xml` replaced.
fn with_font_table(package: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(package)).map_err(std::io::Error::other)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(package.len() + 1024)));
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(std::io::Error::other)?;
        if entry.name() == "word/fontTable.xml" {
            drop(entry);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file("word/fontTable.xml", options)
                .map_err(std::io::Error::other)?;
            out.write_all(font_table_xml().as_bytes())?;
        } else {
            out.raw_copy_file(entry).map_err(std::io::Error::other)?;
        }
    }
    let written = out.finish().map_err(std::io::Error::other)?;
    Ok(written.into_inner())
}

fn font_table_xml() -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    for (name, alt, family) in FONT_TABLE {
        // Charset 86 is GB2312; the Latin font keeps 00.
        let charset = if *name == LATIN_FONT { "00" } else { "86" };
        xml.push_str(&format!(
            r#"<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>"#
        ));
    }
    xml.push_str("</w:fonts>");
    xml
}
