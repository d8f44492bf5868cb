//! Charts: a chart is described as data ([`Chart`]) and rendered by one drawing routine to SVG
//! (text) and to PNG (bytes), with plotters. Text in PNGs is drawn with DejaVu Sans, bundled in
//! the binary, so a plot looks the same on every machine whatever fonts it has; SVGs name the
//! same family and fall back to the browser's sans-serif.
//!
//! Every chart has the same layout, so that nothing a reader needs is hidden: the title on top,
//! wrapped onto as many lines as it needs (never clipped); the plot; and on the right, outside
//! the data, the key (series, threshold and target lines, and a heat map's colour bar). Axis
//! ticks are round numbers in 1-2-5 steps ([`nice_ticks`]), and time axes show clock time.

use std::sync::Once;

use image::ImageEncoder;
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::scenario::format_clock;

/// Size of every chart, pixels.
pub const SIZE: (u32, u32) = (900, 480);

/// The indicator's colours, and the colours of other series in order.
pub const GREEN: RGBColor = RGBColor(46, 125, 50);
pub const AMBER: RGBColor = RGBColor(255, 160, 0);
pub const RED: RGBColor = RGBColor(198, 40, 40);
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];

const FONT: &str = "sans-serif";
const TITLE_SIZE: u32 = 16;
const TEXT_SIZE: u32 = 13;

/// How the x axis is labelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XAxis {
    /// Plain numbers.
    Number,
    /// Whole numbers (agents, chats): ticks never fall between them.
    Integer,
    /// x is hours after midnight of the run's first day; ticks are clock times (`08:30`) on
    /// round steps (15 min, 30 min, 1 h, 2 h, …).
    Clock,
}

/// A line, with an optional band (e.g. a 95% interval) around it.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub color: RGBColor,
    /// (x, y), in x order; a NaN y breaks the line.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high), drawn as a translucent band.
    pub band: Vec<(f64, f64, f64)>,
}

/// A straight line across the plot at `at` (a threshold, or a target), named in the key.
#[derive(Clone, Debug)]
pub struct Marker {
    pub at: f64,
    pub label: String,
    pub color: RGBColor,
}

/// A bar from `low` to `high` on the x axis, of height `value`.
#[derive(Clone, Debug)]
pub struct Bar {
    pub low: f64,
    pub high: f64,
    pub value: f64,
    pub color: RGBColor,
}

/// The colour scale of a heat map: fixed by the KPI (and the target), never stretched over the
/// data, so that one colour means one value in every map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeatScale {
    /// The values at the two ends of the scale; values beyond are painted as the end.
    pub low: f64,
    pub high: f64,
    /// Whether high values are the good ones (service level) or the bad ones (red share).
    pub high_is_good: bool,
    /// With a target, the scale is centred on it: cells meeting it are green (darker the
    /// further they are from it), cells missing it red.
    pub target: Option<f64>,
}

/// What to draw.
#[derive(Clone, Debug)]
pub enum Chart {
    Lines {
        title: String,
        x_label: String,
        y_label: String,
        x_axis: XAxis,
        series: Vec<Series>,
        /// Vertical lines at x.
        markers: Vec<Marker>,
        /// Horizontal lines at y (targets), dashed.
        levels: Vec<Marker>,
        /// Start the y axis at 0 (counts, shares, times).
        from_zero: bool,
    },
    /// Bars (a histogram) with, optionally, a cumulative curve on a right-hand 0–1 axis.
    Bars {
        title: String,
        x_label: String,
        y_label: String,
        x_axis: XAxis,
        bars: Vec<Bar>,
        cumulative: Vec<(f64, f64)>,
        /// Vertical lines at x.
        markers: Vec<Marker>,
        /// What the bar colours mean, for the key.
        legend: Vec<(String, RGBColor)>,
    },
    /// Quantile–quantile plots, one panel per sample, in a grid of two columns: each fit's
    /// quantiles (y) against the sample's (x) at the same probabilities, on equal axes with
    /// the line y = x, where a perfect fit lies.
    Qq {
        title: String,
        x_label: String,
        y_label: String,
        panels: Vec<QqPanel>,
    },
    /// A grid of values, coloured by a fixed scale shown in a colour bar.
    Heat {
        title: String,
        x_label: String,
        y_label: String,
        x_values: Vec<String>,
        y_values: Vec<String>,
        /// `z[y][x]`; NaN cells are left blank.
        z: Vec<Vec<f64>>,
        scale: HeatScale,
        /// The colour bar's title (the KPI and what its colours mean).
        scale_label: String,
    },
}

/// One panel of a [`Chart::Qq`]: its title and one series per fit (x the sample's quantile,
/// y the fit's). The key names the first panel's series: every panel has the same fits in the
/// same colours.
#[derive(Clone, Debug)]
pub struct QqPanel {
    pub title: String,
    pub series: Vec<Series>,
}

/// Height of a row of [`Chart::Qq`] panels, pixels.
const QQ_ROW: u32 = 360;

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart {title:?}: {message}")]
pub struct PlotError {
    pub title: String,
    pub message: String,
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        plotters::style::register_font(FONT, FontStyle::Normal, bytes)
            .unwrap_or_else(|_| panic!("the bundled DejaVu Sans is a valid font"));
    });
}

impl Chart {
    pub fn title(&self) -> &str {
        match self {
            Chart::Lines { title, .. }
            | Chart::Bars { title, .. }
            | Chart::Qq { title, .. }
            | Chart::Heat { title, .. } => title,
        }
    }

    /// Its size in pixels: [`SIZE`], or for quantile–quantile panels as many rows as they
    /// need.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Qq { panels, .. } => {
                (SIZE.0, 70 + QQ_ROW * panels.len().div_ceil(2).max(1) as u32)
            }
            _ => SIZE,
        }
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        register_font();
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, self.size()).into_drawing_area();
            self.draw(&root).map_err(|message| self.error(message))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        Ok(text)
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, PlotError> {
        register_font();
        let (w, h) = self.size();
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            self.draw(&root).map_err(|message| self.error(message))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&pixels, w, h, image::ColorType::Rgb8)
            .map_err(|e| self.error(e.to_string()))?;
        Ok(png)
    }

    fn error(&self, message: String) -> PlotError {
        PlotError {
            title: self.title().to_string(),
            message,
        }
    }

    /// The entries of the key, in order.
    fn key(&self) -> Vec<KeyEntry> {
        let line = |name: &str, color, dashed| KeyEntry {
            label: name.to_string(),
            color,
            swatch: if dashed { Swatch::Dashed } else { Swatch::Line },
        };
        let marker = |m: &Marker| KeyEntry {
            label: m.label.clone(),
            color: m.color,
            swatch: Swatch::Vertical,
        };
        match self {
            Chart::Lines {
                series,
                markers,
                levels,
                ..
            } => series
                .iter()
                .filter(|s| !s.name.is_empty())
                .map(|s| line(&s.name, s.color, false))
                .chain(levels.iter().map(|m| line(&m.label, m.color, true)))
                .chain(markers.iter().map(marker))
                .collect(),
            Chart::Bars {
                cumulative,
                markers,
                legend,
                ..
            } => legend
                .iter()
                .map(|(name, color)| KeyEntry {
                    label: name.clone(),
                    color: *color,
                    swatch: Swatch::Box,
                })
                .chain(
                    (!cumulative.is_empty())
                        .then(|| line("cumulative share (right axis)", BLACK, false)),
                )
                .chain(markers.iter().map(marker))
                .collect(),
            Chart::Qq { panels, .. } => panels
                .first()
                .map_or(&[][..], |p| &p.series[..])
                .iter()
                .map(|s| line(&s.name, s.color, false))
                .chain(std::iter::once(line(
                    "y = x: a perfect fit",
                    QQ_DIAGONAL,
                    true,
                )))
                .collect(),
            Chart::Heat { .. } => Vec::new(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let (width, _) = root.dim_in_pixel();
        // The title, wrapped to the width: its height sets where the plot starts.
        let title_font = (FONT, TITLE_SIZE).into_font();
        let title_lines = wrap(root, self.title(), &title_font, width as i32 - 24).map_err(e)?;
        let line_height = TITLE_SIZE as i32 + 5;
        let title_height = 10 + line_height * title_lines.len() as i32;
        for (i, text) in title_lines.iter().enumerate() {
            root.draw(&Text::new(
                text.clone(),
                (width as i32 / 2, 8 + line_height * i as i32),
                title_font
                    .clone()
                    .into_text_style(root)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(e)?;
        }
        let (_, body) = root.split_vertically(title_height);
        // The key on the right, outside the data.
        let key = self.key();
        let key_width = match self {
            Chart::Heat { .. } => 190,
            _ if key.is_empty() => 0,
            _ => {
                let font = (FONT, TEXT_SIZE).into_font();
                let widest = key
                    .iter()
                    .map(|k| {
                        root.estimate_text_size(&k.label, &font.clone().into_text_style(root))
                            .map(|s| s.0)
                    })
                    .try_fold(0, |a, w| w.map(|w| a.max(w)))
                    .map_err(e)?;
                (widest as i32 + 44).clamp(120, 260)
            }
        };
        let (plot, key_area) = body.split_horizontally(width as i32 - key_width);
        match self {
            Chart::Lines {
                x_label,
                y_label,
                x_axis,
                series,
                markers,
                levels,
                from_zero,
                ..
            } => draw_lines(
                &plot,
                (x_label, y_label),
                *x_axis,
                series,
                (markers, levels),
                *from_zero,
            ),
            Chart::Bars {
                x_label,
                y_label,
                x_axis,
                bars,
                cumulative,
                markers,
                ..
            } => draw_bars(
                &plot,
                (x_label, y_label),
                *x_axis,
                bars,
                cumulative,
                markers,
            ),
            Chart::Qq {
                x_label,
                y_label,
                panels,
                ..
            } => draw_qq(&plot, (x_label, y_label), panels),
            Chart::Heat {
                x_label,
                y_label,
                x_values,
                y_values,
                z,
                scale,
                scale_label,
                ..
            } => draw_heat(&plot, (x_label, y_label), (x_values, y_values), z, scale)
                .and_then(|()| draw_color_bar(&key_area, scale, scale_label)),
        }
        .map_err(e)?;
        draw_key(&key_area, &key).map_err(e)
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Split `text` at spaces into lines no wider than `width` pixels in `font` (a word longer than
/// the width gets a line of its own).
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
    width: i32,
) -> Result<Vec<String>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        let style = font.clone().into_text_style(area);
        if !current.is_empty() && area.estimate_text_size(&candidate, &style)?.0 as i32 > width {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        } else {
            current = candidate;
        }
    }
    lines.push(current);
    Ok(lines)
}

#[derive(Clone, Copy, Debug)]
enum Swatch {
    Line,
    Dashed,
    Vertical,
    Box,
}

struct KeyEntry {
    label: String,
    color: RGBColor,
    swatch: Swatch,
}

/// The key: one row per entry, its swatch then its label (wrapped to the key's width).
fn draw_key<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, key: &[KeyEntry]) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let font = (FONT, TEXT_SIZE).into_font();
    let mut y = 14;
    for k in key {
        let (x, mid) = (6, y + TEXT_SIZE as i32 / 2);
        let style = k.color.stroke_width(2);
        match k.swatch {
            Swatch::Line => area.draw(&PathElement::new(vec![(x, mid), (x + 24, mid)], style))?,
            Swatch::Dashed => area.draw(&DashedPathElement::new(
                vec![(x, mid), (x + 24, mid)],
                5,
                3,
                style,
            ))?,
            Swatch::Vertical => area.draw(&PathElement::new(
                vec![(x + 12, mid - 7), (x + 12, mid + 7)],
                style,
            ))?,
            Swatch::Box => area.draw(&Rectangle::new(
                [(x + 4, mid - 6), (x + 20, mid + 6)],
                k.color.mix(0.75).filled(),
            ))?,
        }
        for line in wrap(area, &k.label, &font, w as i32 - 40)? {
            area.draw(&Text::new(line, (x + 32, y), font.clone()))?;
            y += TEXT_SIZE as i32 + 4;
        }
        y += 6;
    }
    Ok(())
}

/// Round tick positions covering `[lo, hi]`: multiples of a step of 1, 2 or 5 × 10ⁿ, at most
/// `max` of them. Returns the step and the ticks within the range.
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> (f64, Vec<f64>) {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / max.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    // Multiplying (never adding steps up) keeps ticks like 0.3 exact enough to print.
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    (step, ticks)
}

/// A tick label with as many decimals as the step needs (`0.2`, `20`, `2500`).
pub fn tick_label(v: f64, step: f64) -> String {
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    let text = format!("{v:.decimals$}");
    // "-0" and "-0.0" are zero.
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// Round clock steps (hours) for a time axis, and the ticks within `[lo, hi]`.
pub(super) fn clock_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let steps = [
        1.0 / 60.0,
        5.0 / 60.0,
        0.25,
        0.5,
        1.0,
        2.0,
        3.0,
        4.0,
        6.0,
        12.0,
        24.0,
        48.0,
        168.0,
    ];
    let span = hi - lo;
    let step = steps
        .iter()
        .copied()
        .find(|s| span / s <= max as f64)
        .unwrap_or_else(|| nice_ticks(lo, hi, max).0);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The clock time of `hours` after midnight of the first day.
fn clock_label(hours: f64) -> String {
    format_clock(0.0, hours * 3600.0)
}

/// A linear axis from `lo` to `hi` whose ticks are exactly `ticks` (plotters' own f64 axis
/// chooses its ticks itself, not always round ones).
#[derive(Clone, Debug)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let share = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bold points only: the light grid lines would not be round.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

fn ticked(lo: f64, hi: f64, ticks: Vec<f64>) -> Ticked {
    Ticked { lo, hi, ticks }
}

/// The range of finite values, padded by 5% (not below 0 when from zero).
fn range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (lo, hi) = span(values, from_zero);
    let pad = (hi - lo) * 0.05;
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

/// The range of finite values, from 0 if asked; a degenerate range is widened. Not padded: a
/// value axis ([`value_axis`]) rounds it out to whole ticks instead.
fn span(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-12 {
        hi = lo + hi.abs().max(1.0) * 0.1;
        if !from_zero {
            lo -= hi.abs().max(1.0) * 0.1;
        }
    }
    (lo, hi)
}

/// A value axis: the range widened to whole ticks (no more: a share axis ends at 1), and the
/// ticks.
fn value_axis(lo: f64, hi: f64) -> (f64, f64, f64, Vec<f64>) {
    let (step, _) = nice_ticks(lo, hi, 8);
    let (lo, hi) = (
        (lo / step + 1e-9).floor() * step,
        (hi / step - 1e-9).ceil() * step,
    );
    let (_, ticks) = nice_ticks(lo, hi, 8);
    (lo, hi, step, ticks)
}

/// How tick values are printed.
type TickFormat = Box<dyn Fn(&f64) -> String>;

/// The x ticks and a formatter for them.
fn x_ticks(axis: XAxis, lo: f64, hi: f64) -> (Vec<f64>, TickFormat) {
    match axis {
        XAxis::Clock => (clock_ticks(lo, hi, 10), Box::new(|v| clock_label(*v))),
        XAxis::Number => {
            let (step, ticks) = nice_ticks(lo, hi, 10);
            (ticks, Box::new(move |v| tick_label(*v, step)))
        }
        XAxis::Integer => {
            let (step, _) = nice_ticks(lo, hi, 10);
            let (step, ticks) = nice_ticks(lo, hi, ((hi - lo) / step.max(1.0)).ceil() as usize);
            (ticks, Box::new(move |v| tick_label(*v, step.max(1.0))))
        }
    }
}

/// A chart with the common layout: margins, room for the tick labels and axis titles.
fn builder<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> ChartBuilder<'_, '_, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin_left(8)
        .margin_right(16)
        .margin_top(6)
        .margin_bottom(6)
        .x_label_area_size(48)
        .y_label_area_size(72);
    b
}

/// The axis titles and the label fonts every chart uses.
fn axes<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    x_label: &str,
    y_label: &str,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, TEXT_SIZE))
        .axis_desc_style((FONT, 14))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(WHITE.mix(0.0))
}

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x_label, y_label): (&str, &str),
    x_axis: XAxis,
    series: &[Series],
    (markers, levels): (&[Marker], &[Marker]),
    from_zero: bool,
) -> DrawResult<DB> {
    let xs = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(markers.iter().map(|m| m.at));
    let (x0, x1) = range(xs, false);
    let ys = series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.1)
                .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
        })
        .chain(levels.iter().map(|m| m.at));
    let (y0, y1) = span(ys, from_zero);
    let (y0, y1, y_step, y_ticks) = value_axis(y0, y1);
    let (ticks, x_format) = x_ticks(x_axis, x0, x1);
    let mut chart =
        builder(root).build_cartesian_2d(ticked(x0, x1, ticks), ticked(y0, y1, y_ticks))?;
    let y_format = |v: &f64| tick_label(*v, y_step);
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .draw()?;
    for s in series {
        if !s.band.is_empty() {
            let mut polygon: Vec<(f64, f64)> = s
                .band
                .iter()
                .filter(|b| b.1.is_finite() && b.2.is_finite())
                .map(|b| (b.0, b.2))
                .collect();
            polygon.extend(
                s.band
                    .iter()
                    .rev()
                    .filter(|b| b.1.is_finite() && b.2.is_finite())
                    .map(|b| (b.0, b.1)),
            );
            chart.draw_series(std::iter::once(Polygon::new(polygon, s.color.mix(0.18))))?;
        }
    }
    for m in levels {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x0, m.at), (x1, m.at)],
            8,
            5,
            m.color.stroke_width(2),
        )))?;
    }
    for s in series {
        // NaN breaks the line into segments.
        let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for &p in &s.points {
            if p.1.is_finite() {
                segments.last_mut().expect("one segment").push(p);
            } else if !segments.last().expect("one segment").is_empty() {
                segments.push(Vec::new());
            }
        }
        let color = s.color;
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            chart.draw_series(seg.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            chart.draw_series(LineSeries::new(seg, color.stroke_width(2)))?;
        }
    }
    for m in markers {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(m.at, y0), (m.at, y1)],
            m.color.stroke_width(2),
        )))?;
    }
    Ok(())
}

/// The colour of the line y = x of quantile–quantile panels.
const QQ_DIAGONAL: RGBColor = RGBColor(90, 90, 90);

/// Quantile–quantile panels in a grid of two columns (one column for a single panel); a
/// note in place of the grid when there is none.
fn draw_qq<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: (&str, &str),
    panels: &[QqPanel],
) -> DrawResult<DB> {
    let font = (FONT, TEXT_SIZE).into_font();
    if panels.is_empty() {
        root.draw(&Text::new(
            "no durations to fit in the record".to_string(),
            (20, 20),
            font,
        ))?;
        return Ok(());
    }
    let cols = panels.len().min(2);
    let rows = panels.len().div_ceil(2);
    for (area, panel) in root.split_evenly((rows, cols)).iter().zip(panels) {
        let title_font = (FONT, 14).into_font();
        let (w, _) = area.dim_in_pixel();
        area.draw(&Text::new(
            panel.title.clone(),
            (w as i32 / 2, 4),
            title_font
                .into_text_style(area)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        let (_, body) = area.split_vertically(24);
        draw_qq_panel(&body, labels, &panel.series)?;
    }
    Ok(())
}

/// One quantile–quantile panel: both axes over the same range from 0, the line y = x dashed,
/// each fit's points joined.
fn draw_qq_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x_label, y_label): (&str, &str),
    series: &[Series],
) -> DrawResult<DB> {
    let values = series
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|p| [p.0, p.1]));
    let (lo, hi) = span(values, true);
    let (lo, hi, step, ticks) = value_axis(lo, hi);
    let mut chart =
        builder(root).build_cartesian_2d(ticked(lo, hi, ticks.clone()), ticked(lo, hi, ticks))?;
    let format = |v: &f64| tick_label(*v, step);
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .x_label_formatter(&format)
        .y_label_formatter(&format)
        .draw()?;
    chart.draw_series(std::iter::once(DashedPathElement::new(
        vec![(lo, lo), (hi, hi)],
        8,
        5,
        QQ_DIAGONAL.stroke_width(2),
    )))?;
    for s in series {
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        let color = s.color;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x_label, y_label): (&str, &str),
    x_axis: XAxis,
    bars: &[Bar],
    cumulative: &[(f64, f64)],
    markers: &[Marker],
) -> DrawResult<DB> {
    let xs = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .chain(markers.iter().map(|m| m.at));
    let (x0, x1) = match x_axis {
        // Histograms start at 0; bars over time span exactly their intervals.
        XAxis::Number | XAxis::Integer => range(xs, true),
        XAxis::Clock => {
            let (lo, hi) = span(xs, false);
            let pad = (hi - lo) * 0.01;
            (lo - pad, hi + pad)
        }
    };
    let (_, y1) = span(bars.iter().map(|b| b.value), true);
    let (_, y1, y_step, y_ticks) = value_axis(0.0, y1);
    let (ticks, x_format) = x_ticks(x_axis, x0, x1);
    let (_, cum_ticks) = nice_ticks(0.0, 1.0, 5);
    let mut chart = builder(root)
        .right_y_label_area_size(if cumulative.is_empty() { 0 } else { 64 })
        .build_cartesian_2d(ticked(x0, x1, ticks), ticked(0.0, y1, y_ticks))?
        .set_secondary_coord(x0..x1, ticked(0.0, 1.0, cum_ticks));
    let y_format = |v: &f64| tick_label(*v, y_step);
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .draw()?;
    chart.draw_series(bars.iter().map(|b| {
        Rectangle::new(
            [(b.low, 0.0), (b.high, b.value)],
            b.color.mix(0.75).filled(),
        )
    }))?;
    if !cumulative.is_empty() {
        let c_format = |v: &f64| tick_label(*v, 0.2);
        chart
            .configure_secondary_axes()
            .y_desc("cumulative share")
            .y_label_formatter(&c_format)
            .label_style((FONT, TEXT_SIZE))
            .axis_desc_style((FONT, 14))
            .draw()?;
        chart.draw_secondary_series(LineSeries::new(
            cumulative.iter().copied(),
            BLACK.stroke_width(2),
        ))?;
    }
    for m in markers {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(m.at, 0.0), (m.at, y1)],
            m.color.stroke_width(2),
        )))?;
    }
    Ok(())
}

fn mix(a: RGBColor, b: RGBColor, u: f64) -> RGBColor {
    let u = u.clamp(0.0, 1.0);
    let c = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * u).round() as u8;
    RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
}

/// Green → amber → red for a value in [0, 1].
pub fn heat_color(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        mix(GREEN, AMBER, t * 2.0)
    } else {
        mix(AMBER, RED, (t - 0.5) * 2.0)
    }
}

/// Palest shades of the two sides of a target-centred scale.
const PALE_GREEN: RGBColor = RGBColor(200, 230, 201);
const PALE_RED: RGBColor = RGBColor(255, 205, 210);

impl HeatScale {
    /// The colour of value `v`.
    pub fn color(&self, v: f64) -> RGBColor {
        let span = (self.high - self.low).max(1e-12);
        match self.target {
            None => {
                let t = ((v - self.low) / span).clamp(0.0, 1.0);
                heat_color(if self.high_is_good { 1.0 - t } else { t })
            }
            Some(target) => {
                // Distance from the target, as a share of its side of the scale.
                let (good_end, bad_end) = if self.high_is_good {
                    (self.high, self.low)
                } else {
                    (self.low, self.high)
                };
                if self.meets(v) {
                    let d = (v - target) / (good_end - target);
                    mix(PALE_GREEN, GREEN, if d.is_finite() { d } else { 1.0 })
                } else {
                    let d = (v - target) / (bad_end - target);
                    mix(PALE_RED, RED, if d.is_finite() { d } else { 1.0 })
                }
            }
        }
    }

    /// Whether `v` meets the target (`true` without one).
    pub fn meets(&self, v: f64) -> bool {
        match self.target {
            None => true,
            Some(t) if self.high_is_good => v >= t,
            Some(t) => v <= t,
        }
    }
}

/// A short label for a cell value.
fn cell_label(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Black or white, whichever reads better on `c`.
fn text_on(c: RGBColor) -> RGBColor {
    let luminance = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if luminance < 140.0 {
        WHITE
    } else {
        BLACK
    }
}

fn draw_heat<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x_label, y_label): (&str, &str),
    (x_values, y_values): (&[String], &[String]),
    z: &[Vec<f64>],
    scale: &HeatScale,
) -> DrawResult<DB> {
    let (nx, ny) = (x_values.len().max(1), y_values.len().max(1));
    let centres = |n: usize| (0..n).map(|i| i as f64 + 0.5).collect::<Vec<_>>();
    let mut chart = builder(root).build_cartesian_2d(
        ticked(0.0, nx as f64, centres(nx)),
        ticked(0.0, ny as f64, centres(ny)),
    )?;
    let name = |values: &[String], v: f64| values.get(v.floor() as usize).cloned();
    let x_name = |v: &f64| name(x_values, *v).unwrap_or_default();
    let y_name = |v: &f64| name(y_values, *v).unwrap_or_default();
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .disable_mesh()
        .x_label_formatter(&x_name)
        .y_label_formatter(&y_name)
        .draw()?;
    for (yi, row) in z.iter().enumerate() {
        for (xi, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let (x, y) = (xi as f64, yi as f64);
            let color = scale.color(v);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                color.filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                WHITE.stroke_width(1),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                cell_label(v),
                (x + 0.5, y + 0.5),
                (FONT, TEXT_SIZE)
                    .into_font()
                    .color(&text_on(color))
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
    }
    Ok(())
}

/// The colour bar of a heat map: the scale from its low end (bottom) to its high end (top),
/// with round ticks, and the target marked.
fn draw_color_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &HeatScale,
    label: &str,
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let font = (FONT, TEXT_SIZE).into_font();
    let mut y = 8;
    for line in wrap(area, label, &font, w as i32 - 12)? {
        area.draw(&Text::new(line, (6, y), font.clone()))?;
        y += TEXT_SIZE as i32 + 4;
    }
    let (top, bottom) = (y + 12, h as i32 - 60);
    let (left, right) = (10, 34);
    let value_at = |py: i32| {
        scale.low + (scale.high - scale.low) * (bottom - py) as f64 / (bottom - top) as f64
    };
    let y_of = |v: f64| {
        bottom - ((v - scale.low) / (scale.high - scale.low) * (bottom - top) as f64).round() as i32
    };
    for py in top..bottom {
        area.draw(&Rectangle::new(
            [(left, py), (right, py + 1)],
            scale.color(value_at(py)).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        BLACK.mix(0.5).stroke_width(1),
    ))?;
    let (step, ticks) = nice_ticks(scale.low, scale.high, 5);
    for t in ticks {
        let py = y_of(t);
        area.draw(&PathElement::new(vec![(right, py), (right + 5, py)], BLACK))?;
        area.draw(&Text::new(
            tick_label(t, step),
            (right + 8, py),
            font.clone()
                .into_text_style(area)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    if let Some(target) = scale.target {
        let py = y_of(target.clamp(scale.low, scale.high));
        area.draw(&PathElement::new(
            vec![(left - 6, py), (right + 5, py)],
            BLACK.stroke_width(3),
        ))?;
        let op = if scale.high_is_good { "≥" } else { "≤" };
        area.draw(&Text::new(
            format!("thick line: target {op} {target}"),
            (8, bottom + 14),
            font.clone(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_steps_of_1_2_5() {
        assert_eq!(nice_ticks(0.0, 1.0, 8).0, 0.2);
        assert_eq!(nice_ticks(0.0, 0.07, 8).0, 0.01);
        assert_eq!(nice_ticks(0.0, 115.0, 10).0, 20.0);
        assert_eq!(nice_ticks(0.0, 2600.0, 8).0, 500.0);
        assert_eq!(
            nice_ticks(0.0, 1.0, 5).1,
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(tick_label(0.6000000000000001, 0.2), "0.6");
        assert_eq!(tick_label(40.0, 20.0), "40");
        assert_eq!(tick_label(-0.0, 0.1), "0.0");
        // Every step is 1, 2 or 5 times a power of ten.
        for (lo, hi) in [(0.0, 3.7), (0.93, 1.01), (-5.0, 123.0), (0.0, 1e-3)] {
            let (step, ticks) = nice_ticks(lo, hi, 8);
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
                "{lo}..{hi}: step {step}"
            );
            assert!(
                ticks.len() <= 9 && ticks.len() >= 2,
                "{lo}..{hi}: {ticks:?}"
            );
        }
        assert_eq!(
            clock_ticks(8.5, 17.0, 10),
            (9..=17).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(clock_label(8.5), "08:30");
    }

    #[test]
    fn heat_scale_is_fixed_and_centred_on_the_target() {
        let plain = HeatScale {
            low: 0.0,
            high: 1.0,
            high_is_good: true,
            target: None,
        };
        // Close values get close colours: both in the green end, whatever else is in the map.
        let (a, b) = (plain.color(0.970), plain.color(0.983));
        assert!(a.1 > a.0 && b.1 > b.0, "{a:?} {b:?}");
        assert!((a.0 as i32 - b.0 as i32).abs() < 10);
        let target = HeatScale {
            target: Some(0.8),
            ..plain
        };
        let (miss, meet) = (target.color(0.79), target.color(0.81));
        assert!(miss.0 > miss.1, "just missing is red-ish: {miss:?}");
        assert!(meet.1 > meet.0, "just meeting is green-ish: {meet:?}");
        assert_eq!(target.color(1.0), GREEN);
        assert_eq!(target.color(0.0), RED);
        let low_good = HeatScale {
            high_is_good: false,
            target: Some(0.1),
            ..plain
        };
        assert!(low_good.meets(0.1) && !low_good.meets(0.11));
        assert_eq!(low_good.color(0.0), GREEN);
    }

    #[test]
    fn long_titles_wrap_instead_of_being_clipped() {
        register_font();
        let mut text = String::new();
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        let font = (FONT, TITLE_SIZE).into_font();
        let name = "Northern region weekday chat desk with overflow and callbacks";
        assert_eq!(name.chars().count(), 61);
        let title = format!(
            "{name}, 12 agents × 3 chats, yellow 30s / red 1m (10 replications, seed 2026): \
             service level (30s) and abandon rate per interval"
        );
        let lines = wrap(&root, &title, &font, 876).unwrap();
        assert!(lines.len() >= 2, "{lines:?}");
        for l in &lines {
            let style = font.clone().into_text_style(&root);
            assert!(root.estimate_text_size(l, &style).unwrap().0 <= 876, "{l}");
        }
        assert_eq!(lines.join(" "), title);
    }

    #[test]
    fn charts_render_to_svg_and_png() {
        let series = Series {
            name: "service level".into(),
            color: PALETTE[0],
            points: vec![(8.0, 0.8), (8.5, f64::NAN), (9.0, 0.9), (9.5, 0.85)],
            band: vec![(8.0, 0.7, 0.9), (9.0, 0.85, 0.95), (9.5, 0.8, 0.9)],
        };
        let lines = Chart::Lines {
            title: "Service level by interval".into(),
            x_label: "clock time".into(),
            y_label: "share".into(),
            x_axis: XAxis::Clock,
            series: vec![series],
            markers: vec![],
            levels: vec![Marker {
                at: 0.8,
                label: "target ≥ 0.8".into(),
                color: BLACK,
            }],
            from_zero: true,
        };
        let svg = lines.svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("Service level by interval"));
        assert!(
            svg.contains("08:00") && svg.contains("target ≥ 0.8"),
            "{svg}"
        );
        let png = lines.png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let bars = Chart::Bars {
            title: "Responses".into(),
            x_label: "s".into(),
            y_label: "share".into(),
            x_axis: XAxis::Number,
            bars: vec![Bar {
                low: 0.0,
                high: 30.0,
                value: 0.7,
                color: GREEN,
            }],
            cumulative: vec![(0.0, 0.0), (30.0, 0.7)],
            markers: vec![Marker {
                at: 30.0,
                label: "yellow".into(),
                color: AMBER,
            }],
            legend: vec![("green".into(), GREEN)],
        };
        assert!(bars.svg().unwrap().contains("yellow"));
        let heat = Chart::Heat {
            title: "Red share".into(),
            x_label: "agents".into(),
            y_label: "yellow".into(),
            x_values: vec!["8".into(), "9".into()],
            y_values: vec!["20s".into()],
            z: vec![vec![0.2, f64::NAN]],
            scale: HeatScale {
                low: 0.0,
                high: 1.0,
                high_is_good: false,
                target: Some(0.1),
            },
            scale_label: "red share".into(),
        };
        let svg = heat.svg().unwrap();
        assert!(
            svg.contains("0.200") && svg.contains("target ≤ 0.1"),
            "{svg}"
        );
        assert!(heat.png().is_ok());
        let panel = |title: &str| QqPanel {
            title: title.into(),
            series: vec![Series {
                name: "lognormal fit".into(),
                color: PALETTE[0],
                points: vec![(1.0, 1.2), (5.0, 4.0), (20.0, f64::NAN), (30.0, 41.0)],
                band: vec![],
            }],
        };
        let qq = |panels| Chart::Qq {
            title: "Quantiles".into(),
            x_label: "quantile in the record (s)".into(),
            y_label: "quantile of the fit (s)".into(),
            panels,
        };
        // Three panels take two rows of two columns; none, a note in one row's height.
        let three = qq(vec![
            panel("handle time"),
            panel("wrapup"),
            panel("think time"),
        ]);
        assert_eq!(three.size(), (SIZE.0, 70 + 2 * QQ_ROW));
        let svg = three.svg().unwrap();
        assert!(
            svg.contains("think time") && svg.contains("y = x: a perfect fit"),
            "{svg}"
        );
        assert_eq!(&three.png().unwrap()[1..4], b"PNG");
        let none = qq(vec![]);
        assert_eq!(none.size(), (SIZE.0, 70 + QQ_ROW));
        assert!(none.svg().unwrap().contains("no durations to fit"));
    }
}
