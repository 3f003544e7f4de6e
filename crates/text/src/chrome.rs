//! Page-chrome trimming: the navigation, sharing and login-gate lines that 范文 sites append
//! after the article and that end up in saved pages (阅读全文, 分享:, 相关内容, 联系客服 …).
//!
//! Chrome is only ever removed as whole lines and only from a trailing run at the end of the
//! document, so a body sentence that happens to mention 分享 or 下载 is never touched.

use unicode_normalization::UnicodeNormalization;

/// Whole-line chrome, compared after folding (see [`fold`]). A line may also be several of
/// these in a row, e.g. `[打印本文] [关闭窗口]` or `分享到：微信 微博 QQ空间`.
const CHROME_WORDS: &[&str] = &[
    "阅读全文",
    "全文阅读",
    "展开全文",
    "查看全文",
    "继续阅读",
    "分享",
    "分享到",
    "分享本文",
    "相关内容",
    "相关文章",
    "相关阅读",
    "相关推荐",
    "相关范文",
    "热门推荐",
    "热门文章",
    "热门标签",
    "热门阅读",
    "本周热门",
    "本月热门",
    "今日热门",
    "最新文章",
    "最新更新",
    "最新推荐",
    "推荐阅读",
    "推荐文章",
    "猜你喜欢",
    "你可能也喜欢",
    "二维码",
    "微信订阅号",
    "微信公众号",
    "公众号",
    "联系客服",
    "在线客服",
    "客服",
    "返回顶部",
    "回到顶部",
    "返回首页",
    "返回列表",
    "打印本文",
    "打印此文",
    "打印",
    "关闭窗口",
    "关闭",
    "收藏本文",
    "收藏",
    "加入收藏",
    "点击下载",
    "下载该文档",
    "下载文档",
    "下载本文",
    "立即下载",
    "免费下载",
    "扫一扫",
    "微信扫一扫",
    "举报",
    "免责声明",
    "版权声明",
    "责任编辑",
    "上一篇",
    "下一篇",
    "评论",
    "发表评论",
    "网友评论",
    "点赞",
    "复制链接",
    "复制本文链接",
    "字体",
    "字号",
    "大中小",
    "微信",
    "微博",
    "新浪微博",
    "qq",
    "qq空间",
    "朋友圈",
];

/// Lines that begin with one of these are chrome whatever follows
/// (`上一篇：关于…的通知`, `本文地址：https://…`, `版权声明：本文由…`).
const CHROME_PREFIXES: &[&str] = &[
    "上一篇",
    "下一篇",
    "本文地址",
    "本文链接",
    "原文链接",
    "原文地址",
    "文章链接",
    "版权声明",
    "免责声明",
    "责任编辑",
    "分享到",
];

/// Short lines (see [`MAX_CONTAINS_CHARS`]) containing one of these are chrome:
/// the login gate `(想阅读完全部图文内容,您需要先登陆!)`, `微信扫一扫在手机阅读、分享本文`.
const CHROME_PHRASES: &[&str] = &[
    "想阅读完全部",
    "需要先登陆",
    "需要先登录",
    "登录后阅读",
    "登陆后阅读",
    "登录后查看",
    "扫一扫在手机",
    "在手机阅读",
    "分享本文",
    "阅读全文",
    "下载该文档",
    "长按识别",
    "关注公众号",
];

/// Phrases only count in short lines: a long line is a sentence, and sentences are body.
const MAX_CONTAINS_CHARS: usize = 40;

/// Non-chrome lines at most this long may sit in the chrome run (related titles listed under
/// 相关内容, QR captions) without stopping the trim.
const MAX_LISTISH_CHARS: usize = 30;

/// Whether the whole line is page chrome (bullets, brackets, punctuation and spacing ignored).
pub fn is_chrome_line(line: &str) -> bool {
    let key = fold(line);
    if key.is_empty() {
        return false;
    }
    is_word_sequence(&key)
        || CHROME_PREFIXES.iter().any(|p| key.starts_with(p))
        || (key.chars().count() <= MAX_CONTAINS_CHARS
            && CHROME_PHRASES.iter().any(|p| key.contains(p)))
}

/// Removes the trailing run of chrome lines.
///
/// Scanning backwards from the end, chrome lines extend the run, and empty or short
/// (≤ 30 chars) lines are allowed inside it; the first longer non-chrome line ends the scan.
/// The cut is at the topmost chrome line found, so short body lines above it (a signature,
/// a date) stay.
pub fn trim_page_chrome(paragraphs: &mut Vec<String>) {
    trim_licence_footer(paragraphs);
    let mut cut = paragraphs.len();
    for (i, line) in paragraphs.iter().enumerate().rev() {
        if is_chrome_line(line) {
            cut = i;
        } else if crate::chars::trim_blank(line).chars().count() > MAX_LISTISH_CHARS {
            break;
        }
    }
    paragraphs.truncate(cut);
}

/// How far from the end a licence footer may start, in lines.
const LICENCE_FOOTER_MAX_LINES: usize = 40;

/// Removes a copyright/licence footer of the kind saved Wikisource pages end with: a block that
/// starts with `本作品…` / `这部作品…` and speaks of 公有领域 / 著作权 / 版权, often followed by
/// the template's `Public domain` and `false` lines. Such a block is about the page, not part of
/// the document.
pub fn trim_licence_footer(paragraphs: &mut Vec<String>) {
    let len = paragraphs.len();
    let window = len.saturating_sub(LICENCE_FOOTER_MAX_LINES);
    let is_licence_word = |line: &str| {
        [
            "公有领域",
            "公有領域",
            "著作权",
            "著作權",
            "版权",
            "版權",
            "Public domain",
        ]
        .iter()
        .any(|w| line.contains(w))
    };
    // The footer must reach the end: the last lines are template residue or the 公有领域 clause.
    let tail_is_footer = paragraphs[window..].iter().rev().take(3).any(|line| {
        let t = crate::chars::trim_blank(line);
        matches!(t, "false" | "true" | "Public domain")
            || t.contains("公有领域")
            || t.contains("公有領域")
    });
    if !tail_is_footer {
        return;
    }
    let start = (window..len).find(|&i| {
        let t = crate::chars::trim_blank(&paragraphs[i]);
        (t.starts_with("本作品") || t.starts_with("这部作品") || t.starts_with("這部作品"))
            && paragraphs[i..].iter().any(|l| is_licence_word(l))
    });
    if let Some(start) = start {
        paragraphs.truncate(start);
    }
}

/// The comparison key of a line: NFKC (folds full-width punctuation and letters), lowercase,
/// and only letters and digits kept, so `• 本周热门`, `分享：` and `【字体：大 中 小】`
/// compare as `本周热门`, `分享`, `字体大中小`.
fn fold(line: &str) -> String {
    line.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `key` is a concatenation of [`CHROME_WORDS`] and digit runs (counters such as
/// `评论(0)`), with at least one word.
fn is_word_sequence(key: &str) -> bool {
    // reachable[i]: key[..i] splits into words and digits; seen_word[i]: with a word in it.
    let mut reachable = vec![false; key.len() + 1];
    let mut seen_word = vec![false; key.len() + 1];
    reachable[0] = true;
    for start in 0..key.len() {
        if !reachable[start] || !key.is_char_boundary(start) {
            continue;
        }
        let rest = &key[start..];
        for word in CHROME_WORDS {
            if rest.starts_with(word) {
                let end = start + word.len();
                reachable[end] = true;
                seen_word[end] = true;
            }
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let end = start + digits;
            reachable[end] = true;
            seen_word[end] |= seen_word[start];
        }
    }
    seen_word[key.len()]
}

#[cfg(test)]
mod tests {

    #[test]
    fn wikisource_licence_footers_are_not_part_of_the_document() {
        let mut paragraphs: Vec<String> = [
            "会议号召，全国各族人民更加紧密地团结在以习近平同志为核心的党中央周围，奋斗。",
            "本作品来自中华人民共和国全国人民代表大会及其常务委员会的决定、决议。依据《",
            "中华人民共和国著作权法",
            "》第五条，本作品不适用于该法，所以属于",
            "公有领域",
            "。",
            "Public domain",
            "false",
        ]
        .map(String::from)
        .to_vec();
        trim_page_chrome(&mut paragraphs);
        assert_eq!(paragraphs.len(), 1);
        assert!(paragraphs[0].starts_with("会议号召"));
    }

    #[test]
    fn a_document_that_merely_mentions_copyright_keeps_its_text() {
        let mut paragraphs: Vec<String> = [
            "本作品讨论著作权保护的意义。",
            "加强知识产权保护，完善著作权法律制度，是建设创新型国家的重要举措。",
        ]
        .map(String::from)
        .to_vec();
        let before = paragraphs.clone();
        trim_page_chrome(&mut paragraphs);
        assert_eq!(
            paragraphs, before,
            "no template residue at the end: not a footer"
        );
    }
    use super::*;

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chrome_lines_from_the_seed_and_other_sites() {
        let chrome = [
            "阅读全文",
            "(想阅读完全部图文内容,您需要先登陆!)",
            "（想阅读完全部图文内容，您需要先登录！）",
            "分享:",
            "分享：",
            "微信扫一扫在手机阅读、分享本文",
            "相关内容",
            "    热门推荐",
            "    • 本周热门",
            "· 本月热门",
            "- 二维码",
            "* 微信订阅号",
            "联系客服",
            "上一篇：在2019年区委读书会上的讲话",
            "下一篇:关于外出考察的体会",
            "返回顶部",
            "[打印本文] [关闭窗口]",
            "【字体：大 中 小】",
            "收藏本文",
            "点击下载",
            "下载该文档",
            "本文地址：https://example.com/a/1.html",
            "版权声明：本文内容由互联网用户自发贡献，该文观点仅代表作者本人。",
            "责任编辑：张三",
            "扫一扫",
            "分享到：微信 微博 QQ空间",
            "举报",
            "猜你喜欢",
            "热门文章",
            "推荐阅读",
            "免责声明",
            "评论(0)",
        ];
        for line in chrome {
            assert!(is_chrome_line(line), "should be chrome: {line:?}");
        }
    }

    #[test]
    fn body_lines_are_not_chrome() {
        let body = [
            "",
            "一、关于外出考察的体会和思考",
            "通过考察，大家开阔了视野，找到了差距，坚定了信心，也达到了我们“学先进、找差距、求赶超”的目的。",
            "要把经验分享给全区上下，互相学习。",
            "分享经验",
            "大力发展休闲都市农业",
            "2020年11月4日",
            "此致",
            "XX区人大常委会",
            "100",
        ];
        for line in body {
            assert!(!is_chrome_line(line), "should be body: {line:?}");
        }
    }

    #[test]
    fn trims_the_seed_tail() {
        let mut paragraphs = strings(&[
            "二、关于人大工作的初步考虑",
            "2020年接下来的有限工作时间内，区人大常委会要高举XX新时代中国特色社会主义思想伟大旗帜，谋划人大履职的方向",
            "阅读全文",
            "(想阅读完全部图文内容,您需要先登陆!)",
            "分享:",
            "微信扫一扫在手机阅读、分享本文",
            "相关内容",
            "热门推荐",
            "• 本周热门",
            "• 本月热门",
            "二维码",
            "微信订阅号",
            "联系客服",
        ]);
        trim_page_chrome(&mut paragraphs);
        assert_eq!(paragraphs.len(), 2);
    }

    #[test]
    fn short_related_titles_inside_the_run_go_too() {
        let mut paragraphs = strings(&[
            "要坚持以人民为中心的发展理念，紧扣教育、医疗、养老等社会热点难点问题，扎实办好民生实事。",
            "此致",
            "相关内容",
            "在2019年区委读书会上的讲话",
            "关于人大工作的几点思考",
            "热门推荐",
            "在全区经济工作会议上的讲话",
        ]);
        trim_page_chrome(&mut paragraphs);
        assert_eq!(paragraphs, strings(&[
            "要坚持以人民为中心的发展理念，紧扣教育、医疗、养老等社会热点难点问题，扎实办好民生实事。",
            "此致",
        ]));
    }

    #[test]
    fn body_without_chrome_is_untouched() {
        let original = strings(&[
            "通过考察，大家开阔了视野，找到了差距，坚定了信心。",
            "要把考察所得分享给全区上下。",
            "此致",
            "敬礼",
        ]);
        let mut paragraphs = original.clone();
        trim_page_chrome(&mut paragraphs);
        assert_eq!(paragraphs, original);
    }

    #[test]
    fn chrome_in_the_middle_is_kept() {
        let original = strings(&[
            "相关内容",
            "这次读书会是在全区上下深入学习贯彻党的XX全会精神，冲刺2020工作、谋划2021年思路的大背景下召开的。",
        ]);
        let mut paragraphs = original.clone();
        trim_page_chrome(&mut paragraphs);
        assert_eq!(paragraphs, original);
    }
}
