//! Reading a MySQL/MariaDB dump (`mysqldump`, phpMyAdmin, DedeCMS's own 数据备份) statement by
//! statement, without a database: the rows of its `INSERT`s, the column names of its
//! `CREATE TABLE`s, and the connection character set its `SET NAMES` gives, so that GBK dumps
//! decode as GBK.
//!
//! What is understood: `--` and `#` line comments, `/* … */` comments, executable comments
//! (`/*!40101 SET NAMES utf8 */`), backquoted names, `INSERT [IGNORE] INTO` and `REPLACE INTO`
//! with or without a column list and with any number of rows (extended inserts), strings in
//! single or double quotes with MySQL's backslash escapes and doubled quotes, `_binary`/`_utf8`
//! introducers, hexadecimal literals, numbers and `NULL`. Everything else (`DROP`, `LOCK`,
//! `ALTER`, `CREATE INDEX` …) is skipped. A statement is read whole, so memory follows the
//! largest statement (mysqldump keeps them near its `net_buffer_length`), not the dump.

use std::io::BufRead;

use encoding_rs::Encoding;

/// A value of an `INSERT` row. Strings stay bytes until [`Dump`] knows their character set.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    /// A number as written (`12`, `-1`, `3.5`, `1e3`).
    Number(String),
    Text(String),
}

impl SqlValue {
    /// The value as text: a string as it is, a number as written, `NULL` as empty.
    pub fn as_text(&self) -> &str {
        match self {
            SqlValue::Null => "",
            SqlValue::Number(n) => n,
            SqlValue::Text(t) => t,
        }
    }

    /// The value as a whole number, when it is one (a quoted `'12'` too, as MySQL would).
    pub fn as_i64(&self) -> Option<i64> {
        let text = self.as_text().trim();
        text.parse::<i64>()
            .ok()
            .or_else(|| text.parse::<f64>().ok().map(|f| f as i64))
    }
}

/// One statement of interest.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `CREATE TABLE name (columns …)`: the column names in order.
    CreateTable { table: String, columns: Vec<String> },
    /// `INSERT INTO name [(columns)] VALUES (…), (…)`.
    Insert {
        table: String,
        columns: Option<Vec<String>>,
        rows: Vec<Vec<SqlValue>>,
    },
}

/// Why a dump could not be read.
#[derive(thiserror::Error, Debug)]
pub enum DumpError {
    #[error("读取数据库备份文件失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("数据库备份文件第 {line} 行附近的语句无法解析：{reason}")]
    Syntax { line: u64, reason: String },
    #[error("数据库备份文件中有一条超过 {limit_mb} MB 的语句（第 {line} 行起），不像正常的备份")]
    TooLong { line: u64, limit_mb: usize },
}

/// Statements longer than this are refused: mysqldump's extended inserts stay near 1 MB, and
/// a crafted file must not make the reader hold gigabytes.
const MAX_STATEMENT_BYTES: usize = 256 * 1024 * 1024;

/// Reads statements from a dump, one at a time.
pub struct Dump<R> {
    reader: R,
    /// The character set of string literals: `SET NAMES` changes it; until then UTF-8, or GBK
    /// once a statement turns out not to be UTF-8 (DedeCMS's GBK edition backs up without
    /// `SET NAMES` in some versions).
    encoding: &'static Encoding,
    /// Whether a `SET NAMES` named the character set (then it is not guessed).
    declared: bool,
    /// The line the next statement starts on, for messages.
    line: u64,
}

impl<R: BufRead> Dump<R> {
    pub fn new(reader: R) -> Self {
        Dump {
            reader,
            encoding: encoding_rs::UTF_8,
            declared: false,
            line: 1,
        }
    }

    /// The character set string literals are decoded with now.
    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// The next `CREATE TABLE` or `INSERT`, or `None` at the end of the dump.
    pub fn next_statement(&mut self) -> Result<Option<Statement>, DumpError> {
        loop {
            let start_line = self.line;
            let Some(raw) = self.read_statement()? else {
                return Ok(None);
            };
            let statement = skip_space_and_comments(&raw);
            // Messages name the line the statement itself starts on, not the blank lines and
            // comments before it.
            let skipped = &raw[..raw.len() - statement.len()];
            let start_line = start_line + skipped.iter().filter(|b| **b == b'\n').count() as u64;
            let text = strip_executable_comment(statement);
            let words = leading_words(text, 3);
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            match words.as_slice() {
                ["SET", "NAMES", ..] => {
                    self.set_names(text);
                    continue;
                }
                ["CREATE", "TABLE", ..] => {
                    let text = self.decode(text);
                    let parsed = parse_create_table(&text);
                    return parsed.map(Some).map_err(|reason| DumpError::Syntax {
                        line: start_line,
                        reason,
                    });
                }
                ["INSERT", ..] | ["REPLACE", ..] => {
                    if !self.declared && std::str::from_utf8(text).is_err() {
                        self.encoding = encoding_rs::GBK;
                    }
                    let encoding = self.encoding;
                    return parse_insert(text, encoding).map(Some).map_err(|reason| {
                        DumpError::Syntax {
                            line: start_line,
                            reason,
                        }
                    });
                }
                _ => continue,
            }
        }
    }

    fn decode(&self, bytes: &[u8]) -> String {
        self.encoding
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }

    /// `SET NAMES gbk` (or `'utf8mb4'`, `latin1` …): the character set of the strings after it.
    fn set_names(&mut self, text: &[u8]) {
        let text = String::from_utf8_lossy(text);
        let Some(name) = text
            .split_whitespace()
            .nth(2)
            .map(|n| n.trim_matches(|c| c == '\'' || c == '"' || c == ';' || c == '`'))
        else {
            return;
        };
        let label = match name.to_ascii_lowercase().as_str() {
            "utf8" | "utf8mb4" | "utf8mb3" => "utf-8",
            "gbk" | "gb2312" => "gbk",
            "gb18030" => "gb18030",
            "big5" => "big5",
            "latin1" => "windows-1252",
            // An unusual character set: keep telling UTF-8 from GBK by the bytes.
            _ => {
                self.declared = false;
                return;
            }
        };
        if let Some(encoding) = Encoding::for_label(label.as_bytes()) {
            self.encoding = encoding;
            self.declared = true;
        }
    }

    /// The bytes of the next statement up to its `;` (outside quotes and comments), or `None`
    /// at the end. A last statement without `;` counts.
    fn read_statement(&mut self) -> Result<Option<Vec<u8>>, DumpError> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Code,
            Quoted(u8),
            QuotedEscape(u8),
            LineComment,
            BlockComment,
        }
        let mut statement = Vec::new();
        let mut state = State::Code;
        let start_line = self.line;
        loop {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                let rest = skip_space_and_comments(&statement);
                return Ok((!rest.is_empty()).then_some(statement));
            }
            let mut used = 0;
            let mut ended = false;
            for (i, &byte) in buffer.iter().enumerate() {
                if byte == b'\n' {
                    self.line += 1;
                }
                let previous = statement.last().copied();
                state = match state {
                    State::Code => match byte {
                        b'\'' | b'"' | b'`' => State::Quoted(byte),
                        b'-' if previous == Some(b'-') && line_start(&statement) => {
                            State::LineComment
                        }
                        b'#' if line_start(&statement) => State::LineComment,
                        b'*' if previous == Some(b'/') => State::BlockComment,
                        b';' => {
                            used = i + 1;
                            ended = true;
                            break;
                        }
                        _ => State::Code,
                    },
                    State::Quoted(q) if byte == b'\\' && q != b'`' => State::QuotedEscape(q),
                    State::Quoted(q) if byte == q => State::Code,
                    State::Quoted(q) => State::Quoted(q),
                    State::QuotedEscape(q) => State::Quoted(q),
                    State::LineComment if byte == b'\n' => State::Code,
                    State::LineComment => State::LineComment,
                    State::BlockComment if byte == b'/' && previous == Some(b'*') => State::Code,
                    State::BlockComment => State::BlockComment,
                };
                statement.push(byte);
            }
            if !ended {
                used = buffer.len();
            }
            self.reader.consume(used);
            if statement.len() > MAX_STATEMENT_BYTES {
                return Err(DumpError::TooLong {
                    line: start_line,
                    limit_mb: MAX_STATEMENT_BYTES / 1024 / 1024,
                });
            }
            if ended {
                if skip_space_and_comments(&statement) == b";" {
                    statement.clear();
                    continue;
                }
                return Ok(Some(statement));
            }
        }
    }
}

/// Whether a `-`/`#` at this point starts a comment: `--` must follow a line start or space in
/// MySQL (`1--1` is arithmetic), and `#` anywhere outside quotes; we accept both at a line's
/// start or after whitespace, which is where dumps write them.
fn line_start(statement: &[u8]) -> bool {
    let before = match statement.last() {
        Some(b'-') => &statement[..statement.len() - 1],
        _ => statement,
    };
    before
        .last()
        .is_none_or(|b| b.is_ascii_whitespace() || *b == b';')
}

/// The statement without leading whitespace and comments.
fn skip_space_and_comments(mut text: &[u8]) -> &[u8] {
    loop {
        let trimmed = text.trim_ascii_start();
        if trimmed.starts_with(b"--") || trimmed.starts_with(b"#") {
            let end = trimmed
                .iter()
                .position(|b| *b == b'\n')
                .map_or(trimmed.len(), |p| p + 1);
            text = &trimmed[end..];
        } else if trimmed.starts_with(b"/*") && !trimmed.starts_with(b"/*!") {
            let end = trimmed
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(trimmed.len(), |p| p + 2);
            text = &trimmed[end..];
        } else {
            return trimmed;
        }
    }
}

/// `/*!40101 SET NAMES utf8 */;` → `SET NAMES utf8`: MySQL runs what such a comment holds.
fn strip_executable_comment(text: &[u8]) -> &[u8] {
    let Some(rest) = text.strip_prefix(b"/*!") else {
        return text;
    };
    let rest = &rest[rest.iter().take_while(|b| b.is_ascii_digit()).count()..];
    let rest = rest.trim_ascii();
    let rest = rest.strip_suffix(b";").unwrap_or(rest).trim_ascii_end();
    rest.strip_suffix(b"*/").unwrap_or(rest).trim_ascii()
}

/// The first `n` words, upper-cased (`INSERT`, `IGNORE`, `INTO`).
fn leading_words(text: &[u8], n: usize) -> Vec<String> {
    text.split(|b| b.is_ascii_whitespace() || *b == b'(' || *b == b'`')
        .filter(|w| !w.is_empty())
        .take(n)
        .map(|w| String::from_utf8_lossy(w).to_ascii_uppercase())
        .collect()
}

/// A cursor over a statement's bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn skip_space(&mut self) {
        while self.at < self.bytes.len() {
            let rest = &self.bytes[self.at..];
            if rest[0].is_ascii_whitespace() {
                self.at += 1;
            } else if rest.starts_with(b"/*") {
                self.at += rest
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(rest.len(), |p| p + 2);
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        match self.peek() {
            Some(b) if b == byte => {
                self.at += 1;
                Ok(())
            }
            Some(b) => Err(format!(
                "应为 “{}”，却是 “{}”",
                byte as char,
                String::from_utf8_lossy(&[b])
            )),
            None => Err(format!("应为 “{}”，语句却已结束", byte as char)),
        }
    }

    /// A keyword (case-insensitive), if it comes next.
    fn keyword(&mut self, word: &str) -> bool {
        self.skip_space();
        let rest = &self.bytes[self.at..];
        let n = word.len();
        let matches = rest.len() >= n
            && rest[..n].eq_ignore_ascii_case(word.as_bytes())
            && rest
                .get(n)
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if matches {
            self.at += n;
        }
        matches
    }

    /// A name: `` `dede_archives` `` or `dede_archives` (or `db`.`table`: the table).
    fn name(&mut self) -> Result<String, String> {
        let mut name = self.one_name()?;
        while self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            name = self.one_name()?;
        }
        Ok(name)
    }

    fn one_name(&mut self) -> Result<String, String> {
        self.skip_space();
        let rest = &self.bytes[self.at..];
        if rest.first() == Some(&b'`') {
            let mut name = Vec::new();
            let mut i = 1;
            while i < rest.len() {
                if rest[i] == b'`' {
                    if rest.get(i + 1) == Some(&b'`') {
                        name.push(b'`');
                        i += 2;
                        continue;
                    }
                    self.at += i + 1;
                    return Ok(String::from_utf8_lossy(&name).into_owned());
                }
                name.push(rest[i]);
                i += 1;
            }
            return Err("名称缺少结尾的 `".into());
        }
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'$')
            .count();
        if len == 0 {
            return Err("缺少表名或列名".into());
        }
        self.at += len;
        Ok(String::from_utf8_lossy(&rest[..len]).into_owned())
    }

    /// A value of a `VALUES` row.
    fn value(&mut self, encoding: &'static Encoding) -> Result<SqlValue, String> {
        self.skip_space();
        // Introducers: _binary'…', _utf8mb4'…', N'…'.
        let rest = &self.bytes[self.at..];
        if rest.first() == Some(&b'_') {
            let len = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            self.at += len;
            self.skip_space();
        } else if rest.len() > 1 && (rest[0] == b'N' || rest[0] == b'n') && rest[1] == b'\'' {
            self.at += 1;
        }
        let rest = &self.bytes[self.at..];
        match rest.first() {
            Some(q @ (b'\'' | b'"')) => {
                let (bytes, used) = unquote(rest, *q)?;
                self.at += used;
                Ok(SqlValue::Text(
                    encoding.decode_without_bom_handling(&bytes).0.into_owned(),
                ))
            }
            Some(_)
                if rest.len() >= 2 && rest[0] == b'0' && (rest[1] == b'x' || rest[1] == b'X') =>
            {
                let len = 2 + rest[2..]
                    .iter()
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                let bytes = hex_bytes(&rest[2..len])?;
                self.at += len;
                Ok(SqlValue::Text(
                    encoding.decode_without_bom_handling(&bytes).0.into_owned(),
                ))
            }
            Some(b) if b.is_ascii_digit() || *b == b'-' || *b == b'+' || *b == b'.' => {
                let len = rest
                    .iter()
                    .take_while(|b| {
                        b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                    })
                    .count();
                self.at += len;
                Ok(SqlValue::Number(
                    String::from_utf8_lossy(&rest[..len]).into_owned(),
                ))
            }
            _ if self.keyword("NULL") => Ok(SqlValue::Null),
            _ if self.keyword("TRUE") => Ok(SqlValue::Number("1".into())),
            _ if self.keyword("FALSE") => Ok(SqlValue::Number("0".into())),
            Some(b) => Err(format!(
                "无法识别的值，以 “{}” 开头",
                String::from_utf8_lossy(&[*b])
            )),
            None => Err("值缺失，语句已结束".into()),
        }
    }
}

/// The bytes of a quoted string starting at `text[0]` (the quote) and how many bytes it took,
/// with MySQL's escapes undone: `\0 \' \" \b \n \r \t \Z \\`, and a doubled quote.
fn unquote(text: &[u8], quote: u8) -> Result<(Vec<u8>, usize), String> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < text.len() {
        let b = text[i];
        if b == b'\\' {
            let Some(&next) = text.get(i + 1) else { break };
            // `\%` and `\_` keep their backslash in MySQL; any other escaped byte is itself.
            if matches!(next, b'%' | b'_') {
                out.push(b'\\');
            }
            out.push(match next {
                b'0' => 0,
                b'b' => 8,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'Z' => 26,
                other => other,
            });
            i += 2;
        } else if b == quote {
            if text.get(i + 1) == Some(&quote) {
                out.push(quote);
                i += 2;
            } else {
                return Ok((out, i + 1));
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    Err("字符串缺少结尾的引号".into())
}

fn hex_bytes(hex: &[u8]) -> Result<Vec<u8>, String> {
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    if !hex.len().is_multiple_of(2) {
        return Err("十六进制值的位数不是偶数".into());
    }
    hex.chunks(2)
        .map(|pair| match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => Ok(h * 16 + l),
            _ => Err("十六进制值有误".to_owned()),
        })
        .collect()
}

/// `INSERT [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] INTO t [(a, b)] VALUES (…), (…)`.
fn parse_insert(text: &[u8], encoding: &'static Encoding) -> Result<Statement, String> {
    let mut cursor = Cursor { bytes: text, at: 0 };
    if !(cursor.keyword("INSERT") || cursor.keyword("REPLACE")) {
        return Err("不是 INSERT 语句".into());
    }
    for modifier in ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"] {
        cursor.keyword(modifier);
    }
    cursor.keyword("INTO");
    let table = cursor.name()?;
    let mut columns = None;
    if cursor.peek() == Some(b'(') {
        cursor.at += 1;
        let mut names = Vec::new();
        loop {
            names.push(cursor.name()?);
            match cursor.peek() {
                Some(b',') => cursor.at += 1,
                Some(b')') => {
                    cursor.at += 1;
                    break;
                }
                _ => return Err("列名列表有误".into()),
            }
        }
        columns = Some(names);
    }
    if !(cursor.keyword("VALUES") || cursor.keyword("VALUE")) {
        return Err("缺少 VALUES".into());
    }
    let mut rows = Vec::new();
    loop {
        cursor.expect(b'(')?;
        let mut row = Vec::new();
        if cursor.peek() == Some(b')') {
            cursor.at += 1;
        } else {
            loop {
                row.push(cursor.value(encoding)?);
                match cursor.peek() {
                    Some(b',') => cursor.at += 1,
                    Some(b')') => {
                        cursor.at += 1;
                        break;
                    }
                    _ => return Err("一行的值之间缺少逗号或右括号".into()),
                }
            }
        }
        rows.push(row);
        match cursor.peek() {
            Some(b',') => cursor.at += 1,
            // `ON DUPLICATE KEY UPDATE …` or the end.
            _ => break,
        }
    }
    Ok(Statement::Insert {
        table,
        columns,
        rows,
    })
}

/// `CREATE TABLE [IF NOT EXISTS] t ( `a` int, `b` text, PRIMARY KEY (…), KEY … ) ENGINE=…`:
/// the column names, in order.
fn parse_create_table(text: &str) -> Result<Statement, String> {
    let mut cursor = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    cursor.keyword("CREATE");
    cursor.keyword("TABLE");
    if cursor.keyword("IF") {
        cursor.keyword("NOT");
        cursor.keyword("EXISTS");
    }
    let table = cursor.name()?;
    cursor.expect(b'(')?;
    let body = &text[cursor.at..];
    let mut columns = Vec::new();
    let mut depth = 0usize;
    let mut item = String::new();
    let mut quote: Option<char> = None;
    for c in body.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                columns.extend(column_of(&item));
                break;
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                columns.extend(column_of(&item));
                item.clear();
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    Ok(Statement::CreateTable { table, columns })
}

/// The column a `CREATE TABLE` item defines, or `None` for keys and constraints.
fn column_of(item: &str) -> Option<String> {
    let item = item.trim();
    let first = item.split_whitespace().next()?;
    let upper = first.to_ascii_uppercase();
    if !first.starts_with('`')
        && matches!(
            upper.as_str(),
            "PRIMARY"
                | "KEY"
                | "INDEX"
                | "UNIQUE"
                | "FULLTEXT"
                | "SPATIAL"
                | "CONSTRAINT"
                | "FOREIGN"
                | "CHECK"
        )
    {
        return None;
    }
    let mut cursor = Cursor {
        bytes: item.as_bytes(),
        at: 0,
    };
    cursor.one_name().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(dump: &[u8]) -> Vec<Statement> {
        let mut reader = Dump::new(dump);
        let mut out = Vec::new();
        while let Some(s) = reader.next_statement().unwrap() {
            out.push(s);
        }
        out
    }

    fn text(s: &str) -> SqlValue {
        SqlValue::Text(s.to_owned())
    }

    #[test]
    fn extended_inserts_with_escapes_comments_and_executable_comments() {
        let dump = "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\n\
            /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n\
            DROP TABLE IF EXISTS `dede_arctype`;\n\
            CREATE TABLE `dede_arctype` (\n  `id` smallint(5) unsigned NOT NULL AUTO_INCREMENT,\n  \
            `typename` char(30) NOT NULL DEFAULT '',\n  `typedir` char(60) NOT NULL DEFAULT '',\n  \
            PRIMARY KEY (`id`),\n  KEY `reid` (`reid`,`ispart`)\n) ENGINE=MyISAM DEFAULT CHARSET=utf8;\n\
            # a hash comment; with a semicolon\n\
            INSERT INTO `dede_arctype` VALUES (1,'讲话稿','{cmspath}/a/jianghua'),(2,'It\\'s \"x\"; y','a''b\\\\c\\n');\n\
            INSERT INTO dede_arctype (id, typename) VALUES (3, NULL), (4, -1.5), (5, _binary 'bin'), (6, 0xE4B8AD);";
        let got = statements(dump.as_bytes());
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            Statement::CreateTable {
                table: "dede_arctype".into(),
                columns: vec!["id".into(), "typename".into(), "typedir".into()],
            }
        );
        let Statement::Insert {
            table,
            columns,
            rows,
        } = &got[1]
        else {
            panic!("{got:?}")
        };
        assert_eq!(table, "dede_arctype");
        assert!(columns.is_none());
        assert_eq!(rows[0][1], text("讲话稿"));
        assert_eq!(rows[1][1], text("It's \"x\"; y"));
        assert_eq!(rows[1][2], text("a'b\\c\n"));
        let Statement::Insert { columns, rows, .. } = &got[2] else {
            panic!()
        };
        assert_eq!(
            columns.as_deref(),
            Some(&["id".to_owned(), "typename".to_owned()][..])
        );
        assert_eq!(rows[0][1], SqlValue::Null);
        assert_eq!(rows[1][1].as_i64(), Some(-1));
        assert_eq!(rows[2][1], text("bin"));
        assert_eq!(rows[3][1], text("中"));
    }

    #[test]
    fn gbk_dumps_decode_by_set_names_or_by_their_bytes() {
        let (gbk, _, _) = encoding_rs::GBK.encode("INSERT INTO `t` VALUES (1,'工作总结');");
        let mut declared = b"SET NAMES gbk;\n".to_vec();
        declared.extend_from_slice(&gbk);
        for dump in [declared, gbk.to_vec()] {
            let got = statements(&dump);
            let Statement::Insert { rows, .. } = &got[0] else {
                panic!()
            };
            assert_eq!(rows[0][1], text("工作总结"));
        }
    }

    #[test]
    fn broken_statements_say_where() {
        let mut reader = Dump::new(&b"\n\nINSERT INTO t VALUES (1,'open;"[..]);
        let err = reader.next_statement().unwrap_err().to_string();
        assert!(err.contains("第 3 行"), "{err}");
        let mut reader = Dump::new(&b"INSERT INTO t VALUES (1 2);"[..]);
        assert!(reader.next_statement().is_err());
    }

    #[test]
    fn a_dump_of_nothing_has_no_statements() {
        assert!(statements(b"").is_empty());
        assert!(statements(b"-- only a comment\n;;\n").is_empty());
    }
}
