use super::*;

const BODY: [&str; 3] = [
    "这次读书会是在全区上下深入学习贯彻党的XX全会精神，冲刺2020工作、谋划2021年思路的大背景下召开的。",
    "一、关于外出考察的体会和思考",
    "通过考察，大家开阔了视野，找到了差距，坚定了信心，也达到了我们“学先进、找差距、求赶超”的目的。",
];

fn saved_page(charset: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="{charset}">
<title>在2020年区委读书会上的讲话_范文网</title>
<script>var _hmt = _hmt || []; document.write("<p>广告</p>");</script>
<style>.content p {{ text-indent: 2em; }}</style></head>
<body class="page-header-fixed">
<div class="header"><div class="logo"><h1><a href="/">范文网</a></h1></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/jh/">讲话稿</a></li><li><a href="/zj/">工作总结</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/jh/">讲话稿</a></div>
<div class="main"><div class="left">
  <div class="article-title"><h1>在2020年区委读书会上的讲话</h1><p>2020-11-04 246</p></div>
  <div id="content" class="content">
    <p>　　{}</p>
    <p><strong>{}</strong></p>
    <p>{}<img src=x onerror=alert(1)></p>
    <script>alert(1)</script>
    <p><a href="javascript:alert(1)">阅读全文</a></p>
    <p>(想阅读完全部图文内容,您需要先登陆!)</p>
    <!-- <p>注释里的文字</p> -->
  </div>
  <div class="share">分享：<a href="javascript:share()">微信</a> 微信扫一扫在手机阅读、分享本文 <img src="qr.png"></div>
  <div class="related"><h3>相关内容</h3><ul><li><a href="/a/2.html">在2019年区委读书会上的讲话</a></li><li><a href="/a/3.html">关于人大工作的几点思考</a></li></ul></div>
</div>
<div class="sidebar"><h3>热门推荐</h3><ul><li>本周热门</li><li><a href="/a/9.html">在全区经济工作会议上的讲话</a></li><li>本月热门</li></ul>
<div class="qrcode">二维码 微信订阅号</div></div></div>
<form id="login"><input name="user"><button onclick="login()">登录</button></form>
<div class="footer"><p>联系客服 QQ:123456</p><p>Copyright © 2020 范文网 京ICP备12345678号</p></div>
</body></html>"#,
        BODY[0], BODY[1], BODY[2]
    )
}

#[test]
fn the_article_without_the_page() {
    let doc = parse_html_page(saved_page("utf-8").as_bytes()).unwrap();
    assert_eq!(doc.title, "在2020年区委读书会上的讲话");
    assert_eq!(doc.date.as_deref(), Some("2020-11-04"));
    assert_eq!(doc.views, Some(246));
    assert_eq!(doc.paragraphs, BODY);
}

#[test]
fn gbk_pages_are_decoded_by_their_meta_charset() {
    let html = saved_page("gbk");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&html);
    let doc = parse_html_page(&bytes).unwrap();
    assert_eq!(doc.title, "在2020年区委读书会上的讲话");
    assert_eq!(doc.paragraphs, BODY);
    let http_equiv =
        br#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#;
    assert_eq!(declared_charset(http_equiv), Some(encoding_rs::GBK));
}

#[test]
fn densest_block_without_markers_and_title_from_the_title_element() {
    let html = format!(
        "<html><head><title>关于做好2021年工作的通知 - 某某网</title></head><body>\
         <div><a href=/>首页</a> <a href=/b>栏目</a> <a href=/c>更多</a></div>\
         <div><div>{}<br>{}<br><br>{}</div></div>\
         <div><a href=/1>一篇相关的标题比较长的链接文字</a><br><a href=/2>另一篇相关的标题也很长的链接</a></div>\
         </body></html>",
        BODY[0], BODY[1], BODY[2]
    );
    let doc = parse_html_page(html.as_bytes()).unwrap();
    assert_eq!(doc.title, "关于做好2021年工作的通知");
    assert_eq!(doc.paragraphs, BODY);
}

#[test]
fn tables_keep_cells_apart() {
    let html = "<html><title>经费安排表说明</title><article><p>经费安排如下。</p>\
        <table><tr><td>项目</td><td>金额</td></tr><tr><td>道路</td><td>1200</td></tr></table></article></html>";
    let doc = parse_html_page(html.as_bytes()).unwrap();
    assert_eq!(
        doc.paragraphs,
        ["经费安排如下。", "项目\t金额", "道路\t1200"]
    );
}

#[test]
fn site_suffixes() {
    for (title, want) in [
        (
            "在2020年区委读书会上的讲话_范文网",
            "在2020年区委读书会上的讲话",
        ),
        ("政府工作报告 - 中国政府网", "政府工作报告"),
        ("年度工作总结 | 某某网站", "年度工作总结"),
        ("2020-2021学年工作计划", "2020-2021学年工作计划"),
        ("讲话_范文网", "讲话_范文网"),
    ] {
        assert_eq!(strip_site_suffix(title), want, "{title}");
    }
}

#[test]
fn pages_without_an_article_fail_clearly() {
    assert_eq!(
        parse_html_page(b"<html><body><script>alert(1)</script></body></html>"),
        Err(HtmlError::NoArticle)
    );
    assert_eq!(
        parse_html_page(b""),
        Err(HtmlError::Decode(DecodeError::Empty))
    );
}

#[test]
fn deep_nesting_does_not_overflow_and_deeper_than_the_limit_is_refused() {
    let page = |depth: usize| {
        format!(
            "<title>很深的页面标题</title>{}<p>正文内容在这里。</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        )
    };
    let doc = parse_html_page(page(MAX_DEPTH - 10).as_bytes()).unwrap();
    assert_eq!(doc.paragraphs, ["正文内容在这里。"]);
    let refused = parse_html_page(page(3_000).as_bytes()).unwrap_err();
    assert_eq!(refused, HtmlError::TooDeep { limit: MAX_DEPTH });
    assert!(refused.to_string().contains("嵌套超过 512 层"), "{refused}");
}
