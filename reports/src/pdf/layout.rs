//! A tiny page-layout engine over printpdf: a cursor that moves down A4 pages, text
//! that wraps to columns, tables that continue on the next page with their header
//! repeated, and a running header and "Page i of n" footer added once the page count
//! is known.

use super::metrics::{sanitize, width, wrap};
use printpdf::{
    BuiltinFont, Color, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt,
    Rgb, TextItem, WindingOrder,
};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const LEFT: f32 = 50.0;
pub const RIGHT: f32 = PAGE_W - 50.0;
const TOP: f32 = PAGE_H - 70.0;
const BOTTOM: f32 = 60.0;

/// RGB in 0..=1.
pub type Rgbf = (f32, f32, f32);
pub const BLACK: Rgbf = (0.1, 0.1, 0.12);
pub const GREY: Rgbf = (0.45, 0.45, 0.5);

/// A table column: header, width in points.
pub struct Column<'a> {
    pub header: &'a str,
    pub width: f32,
}

/// A table cell: text and colour.
pub struct Cell {
    pub text: String,
    pub color: Rgbf,
    pub bold: bool,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Self {
        Self { text: text.into(), color: BLACK, bold: false }
    }
}

pub struct Layout {
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    header: String,
}

fn rgb((r, g, b): Rgbf) -> Color {
    Color::Rgb(Rgb { r, g, b, icc_profile: None })
}

impl Layout {
    pub fn new(header: &str) -> Self {
        Self { pages: Vec::new(), ops: Vec::new(), y: TOP, header: sanitize(header) }
    }

    /// The vertical position of the next line's baseline.
    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    pub fn space(&mut self, points: f32) {
        self.y -= points;
    }

    /// One line of text at (x, current line) without moving the cursor.
    pub fn text_at(&mut self, x: f32, y: f32, text: &str, size: f32, bold: bool, color: Rgbf) {
        let font = if bold { BuiltinFont::HelveticaBold } else { BuiltinFont::Helvetica };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: rgb(color) },
            Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(sanitize(text))] },
            Op::EndTextSection,
        ]);
    }

    /// Wrapped text in a column; moves the cursor below it, breaking pages between lines.
    pub fn paragraph(&mut self, x: f32, max_width: f32, text: &str, size: f32, bold: bool, color: Rgbf) {
        let lead = size * 1.3;
        for line in wrap(text, size, bold, max_width) {
            self.ensure(lead);
            self.y -= lead;
            self.text_at(x, self.y, &line, size, bold, color);
        }
    }

    pub fn heading(&mut self, text: &str, size: f32) {
        self.ensure(size * 3.0);
        self.space(size * 0.6);
        self.paragraph(LEFT, RIGHT - LEFT, text, size, true, BLACK);
        self.space(size * 0.4);
    }

    /// A filled rectangle with its top-left corner at (x, y).
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgbf) {
        let corners = [(x, y), (x + w, y), (x + w, y - h), (x, y - h)];
        let ring = PolygonRing {
            points: corners.iter().map(|&(px, py)| LinePoint { p: Point { x: Pt(px), y: Pt(py) }, bezier: false }).collect(),
        };
        self.ops.push(Op::SetFillColor { col: rgb(color) });
        self.ops
            .push(Op::DrawPolygon { polygon: Polygon { rings: vec![ring], mode: PaintMode::Fill, winding_order: WindingOrder::NonZero } });
    }

    /// A table whose rows wrap within their columns and continue across pages.
    pub fn table(&mut self, columns: &[Column], rows: Vec<Vec<Cell>>, size: f32) {
        let lead = size * 1.3;
        let pad = 4.0;
        let header_height = lead + pad;
        let draw_header = |l: &mut Layout| {
            l.ensure(header_height + lead * 2.0);
            l.rect(LEFT, l.y, RIGHT - LEFT, header_height, (0.9, 0.91, 0.94));
            let mut x = LEFT + 3.0;
            let y = l.y - lead + 1.0;
            for c in columns {
                l.text_at(x, y, c.header, size, true, BLACK);
                x += c.width;
            }
            l.y -= header_height;
        };
        draw_header(self);
        for row in rows {
            let wrapped: Vec<Vec<String>> =
                row.iter().zip(columns).map(|(cell, col)| wrap(&cell.text, size, cell.bold, col.width - 6.0)).collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            let height = lines as f32 * lead + pad;
            if self.y - height < BOTTOM {
                self.new_page();
                draw_header(self);
            }
            let mut x = LEFT + 3.0;
            for ((cell, col), cell_lines) in row.iter().zip(columns).zip(&wrapped) {
                for (i, line) in cell_lines.iter().enumerate() {
                    self.text_at(x, self.y - lead * (i as f32 + 1.0) + 1.0, line, size, cell.bold, cell.color);
                }
                x += col.width;
            }
            self.y -= height;
            self.rect(LEFT, self.y + 0.5, RIGHT - LEFT, 0.5, (0.85, 0.85, 0.88));
        }
    }

    /// Finishes the document: every page gets the running header and "Page i of n".
    pub fn finish(mut self, title: &str) -> Vec<u8> {
        self.pages.push(std::mem::take(&mut self.ops));
        let total = self.pages.len();
        let header = self.header.clone();
        let pages: Vec<PdfPage> = std::mem::take(&mut self.pages)
            .into_iter()
            .enumerate()
            .map(|(i, ops)| {
                let mut l = Layout { pages: Vec::new(), ops, y: 0.0, header: String::new() };
                l.text_at(LEFT, PAGE_H - 35.0, &header, 8.0, false, GREY);
                l.rect(LEFT, PAGE_H - 42.0, RIGHT - LEFT, 0.6, (0.8, 0.8, 0.84));
                let footer = format!("Page {} of {total}", i + 1);
                l.text_at(RIGHT - width(&footer, 8.0, false), 30.0, &footer, 8.0, false, GREY);
                PdfPage::new(Mm(210.0), Mm(297.0), l.ops)
            })
            .collect();
        let mut doc = PdfDocument::new(&sanitize(title));
        doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut Vec::new())
    }
}
