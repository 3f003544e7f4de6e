use super::fixture::DocxBuilder;
use super::*;

const MB: u64 = 1024 * 1024;

fn parse(builder: DocxBuilder) -> DocxDocument {
    parse_docx(&builder.build().unwrap(), &ArchiveLimits::default()).unwrap()
}

fn speech() -> DocxBuilder {
    DocxBuilder::new()
        .title("在2020年区委读书会上的讲话")
        .paragraph("这次读书会很有必要，也很有意义。下面，我主要谈两个方面。")
        .heading(1, "一、关于外出考察的体会和思考")
        .heading(2, "（一）学先进，看X发展更需努力")
        .paragraph("通过考察，大家开阔了视野，找到了差距，坚定了信心。")
        .table(&[&["项目", "金额（万元）"], &["道路建设", "1200"], &["", ""]])
        .heading(1, "二、关于人大工作的初步考虑")
        .paragraph("姓名：\t张三\n职务：\t区人大常委会主任")
}

#[test]
fn title_headings_table_tabs_and_breaks() {
    let docx = parse(speech().core("Document1", "2020-11-04T09:30:00Z"));
    assert_eq!(docx.doc.title, "在2020年区委读书会上的讲话");
    assert_eq!(docx.doc.file_date.as_deref(), Some("2020-11-04"));
    assert_eq!(docx.doc.date, None, "a creation time is no source date");
    assert_eq!(
        docx.doc.paragraphs,
        [
            "这次读书会很有必要，也很有意义。下面，我主要谈两个方面。",
            "一、关于外出考察的体会和思考",
            "（一）学先进，看X发展更需努力",
            "通过考察，大家开阔了视野，找到了差距，坚定了信心。",
            "项目\t金额（万元）",
            "道路建设\t1200",
            "二、关于人大工作的初步考虑",
            "姓名：\t张三",
            "职务：\t区人大常委会主任",
        ]
    );
    let outline: Vec<u8> = crate::outline(&docx.doc.paragraphs)
        .iter()
        .map(|e| e.level)
        .collect();
    assert_eq!(outline, [1, 2, 1]);
}

#[test]
fn title_falls_back_to_a_leading_heading_then_core_then_first_paragraph() {
    let doc = parse(
        DocxBuilder::new()
            .heading(1, "工作总结")
            .paragraph("正文。"),
    )
    .doc;
    assert_eq!((doc.title.as_str(), doc.paragraphs.len()), ("工作总结", 1));
    let doc = parse(
        DocxBuilder::new()
            .paragraph("各位代表：")
            .heading(1, "一、回顾")
            .core("政府工作报告", "2024-03-05T00:00:00Z"),
    )
    .doc;
    assert_eq!(doc.title, "政府工作报告");
    assert_eq!(doc.paragraphs, ["各位代表：", "一、回顾"]);
    let doc = parse(
        DocxBuilder::new()
            .paragraph("关于做好2021年工作的通知")
            .paragraph("各单位：")
            .core("Microsoft Word - 通知.doc", ""),
    )
    .doc;
    assert_eq!(doc.title, "关于做好2021年工作的通知");
    assert_eq!((doc.paragraphs.len(), doc.date.as_deref()), (1, None));
}

#[test]
fn deleted_text_field_codes_and_fallbacks_are_not_text() {
    let doc = parse(
        DocxBuilder::new()
            .title("标题")
            .raw(r#"<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="1"><w:r><w:delText>删除</w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t>插入</w:t></w:r></w:ins></w:p>"#)
            .raw(r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE \* MERGEFORMAT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> 页 &amp; &#x4E00;</w:t></w:r></w:p>"#)
            .raw(r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#),
    )
    .doc;
    assert_eq!(doc.paragraphs, ["保留插入", "3 页 & 一", "文本框"]);
}

#[test]
fn images_are_kept() {
    let docx = parse(speech().image("image1.png", b"\x89PNG fake"));
    assert_eq!(docx.images.len(), 1);
    assert_eq!(docx.images[0].name, "image1.png");
    assert_eq!(docx.images[0].contents.as_deref(), Ok(&b"\x89PNG fake"[..]));
}

#[test]
fn a_document_part_inflating_to_500_mb_is_refused_from_its_header() {
    let bytes = speech().build_padded(500 * MB).unwrap();
    assert!(bytes.len() < 2 * MB as usize, "{} bytes", bytes.len());
    let error = parse_docx(&bytes, &ArchiveLimits::default()).unwrap_err();
    assert!(
        matches!(
            error,
            DocxError::Part {
                part: "word/document.xml",
                error: EntryError::TooLarge { .. }
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("超过单个文件上限 20 MB"),
        "{error}"
    );
}

#[test]
fn a_document_part_lying_about_its_size_is_stopped_while_streaming() {
    let mut bytes = speech().build_padded(3 * MB).unwrap();
    crate::test_zip::patch_declared_size(&mut bytes, 4096);
    let error = parse_docx(&bytes, &ArchiveLimits::default()).unwrap_err();
    assert!(matches!(error, DocxError::Part { .. }), "{error:?}");
    assert!(error.to_string().contains("解压后超过"), "{error}");
}

#[test]
fn not_a_docx() {
    let limits = ArchiveLimits::default();
    assert!(matches!(
        parse_docx(b"plain text", &limits),
        Err(DocxError::Archive(ArchiveError::NotZip(_)))
    ));
    let zip = crate::test_zip::zip_of(&[("a.txt", b"x")]);
    assert_eq!(parse_docx(&zip, &limits), Err(DocxError::NoDocumentPart));
    let empty = DocxBuilder::new().build().unwrap();
    assert_eq!(
        parse_docx(&empty, &limits),
        Err(DocxError::Parse(ParseError::NoTitle))
    );
}
