//! Charts: a chart is described as data ([`Chart`]) and rendered by one drawing routine to SVG
//! (text) and to PNG (bytes), with plotters. Text in PNGs is drawn with DejaVu Sans, bundled in
//! the binary, so a plot looks the same on every machine whatever fonts it has; SVGs name the
//! same family and fall back to the browser's sans-serif.

use std::sync::Once;

use image::ImageEncoder;
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;

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

/// A vertical line across the plot, labelled (a threshold).
#[derive(Clone, Debug)]
pub struct Marker {
    pub x: f64,
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

/// What to draw.
#[derive(Clone, Debug)]
pub enum Chart {
    Lines {
        title: String,
        x_label: String,
        y_label: String,
        series: Vec<Series>,
        markers: Vec<Marker>,
        /// Start the y axis at 0 (counts, shares, times).
        from_zero: bool,
    },
    /// Bars (a histogram) with, optionally, a cumulative curve on a right-hand 0–1 axis.
    Bars {
        title: String,
        x_label: String,
        y_label: String,
        bars: Vec<Bar>,
        cumulative: Vec<(f64, f64)>,
        markers: Vec<Marker>,
    },
    /// A grid of values, coloured from green (low) through amber to red (high).
    Heat {
        title: String,
        x_label: String,
        y_label: String,
        x_values: Vec<String>,
        y_values: Vec<String>,
        /// `z[y][x]`; NaN cells are left blank.
        z: Vec<Vec<f64>>,
        /// Colour high values green instead of red.
        high_is_good: bool,
    },
}

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
            Chart::Lines { title, .. } | Chart::Bars { title, .. } | Chart::Heat { title, .. } => {
                title
            }
        }
    }

    /// The chart as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        register_font();
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
            self.draw(&root).map_err(|message| self.error(message))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        Ok(text)
    }

    /// The chart as a PNG image.
    pub fn png(&self) -> Result<Vec<u8>, PlotError> {
        register_font();
        let (w, h) = SIZE;
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
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

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        match self {
            Chart::Lines {
                title,
                x_label,
                y_label,
                series,
                markers,
                from_zero,
            } => draw_lines(root, title, x_label, y_label, series, markers, *from_zero),
            Chart::Bars {
                title,
                x_label,
                y_label,
                bars,
                cumulative,
                markers,
            } => draw_bars(root, title, x_label, y_label, bars, cumulative, markers),
            Chart::Heat {
                title,
                x_label,
                y_label,
                x_values,
                y_values,
                z,
                high_is_good,
            } => draw_heat(
                root,
                title,
                (x_label, y_label),
                (x_values, y_values),
                z,
                *high_is_good,
            ),
        }
        .map_err(|e| e.to_string())
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart with the common layout: title, margins, room for the axis labels.
fn builder<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &'b str,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(root);
    b.caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70);
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
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
}

/// The range of finite values, padded by 5%; a degenerate range is widened.
fn range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
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
    let pad = (hi - lo) * 0.05;
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

fn draw_markers<DB: DrawingBackend, CT: plotters::coord::CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<DB, CT>,
    markers: &[Marker],
    y: (f64, f64),
) -> DrawResult<DB> {
    for m in markers {
        let style = m.color.stroke_width(2);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(m.x, y.0), (m.x, y.1)],
            style,
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            m.label.clone(),
            (m.x, y.1),
            (FONT, 13).into_font().color(&m.color),
        )))?;
    }
    Ok(())
}

/// The legend of the labelled series, in the common style.
fn draw_legend<'a, DB: DrawingBackend + 'a, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> DrawResult<DB>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(position)
        .draw()
}

#[allow(clippy::too_many_arguments)]
fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    markers: &[Marker],
    from_zero: bool,
) -> DrawResult<DB> {
    let xs = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(markers.iter().map(|m| m.x));
    let (x0, x1) = range(xs, false);
    let ys = series.iter().flat_map(|s| {
        s.points
            .iter()
            .map(|p| p.1)
            .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
    });
    let (y0, y1) = range(ys, from_zero);
    let mut chart = builder(root, title).build_cartesian_2d(x0..x1, y0..y1)?;
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .light_line_style(WHITE.mix(0.0))
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
        let mut first = true;
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            chart.draw_series(seg.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            let drawn = chart.draw_series(LineSeries::new(seg, color.stroke_width(2)))?;
            if first && !s.name.is_empty() {
                drawn.label(s.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
                first = false;
            }
        }
    }
    draw_markers(&mut chart, markers, (y0, y1))?;
    if series.iter().any(|s| !s.name.is_empty()) {
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    bars: &[Bar],
    cumulative: &[(f64, f64)],
    markers: &[Marker],
) -> DrawResult<DB> {
    let xs = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .chain(markers.iter().map(|m| m.x));
    let (x0, x1) = range(xs, true);
    let (_, y1) = range(bars.iter().map(|b| b.value), true);
    let mut chart = builder(root, title)
        .right_y_label_area_size(if cumulative.is_empty() { 0 } else { 60 })
        .build_cartesian_2d(x0..x1, 0.0..y1)?
        .set_secondary_coord(x0..x1, 0.0..1.0);
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    chart.draw_series(bars.iter().map(|b| {
        Rectangle::new(
            [(b.low, 0.0), (b.high, b.value)],
            b.color.mix(0.75).filled(),
        )
    }))?;
    if !cumulative.is_empty() {
        chart
            .configure_secondary_axes()
            .y_desc("cumulative share")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()?;
        chart
            .draw_secondary_series(LineSeries::new(
                cumulative.iter().copied(),
                BLACK.stroke_width(2),
            ))?
            .label("cumulative share (right axis)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        draw_legend(&mut chart, SeriesLabelPosition::MiddleRight)?;
    }
    draw_markers(&mut chart, markers, (0.0, y1))?;
    Ok(())
}

/// Green → amber → red for a value in [0, 1].
pub fn heat_color(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: RGBColor, b: RGBColor, u: f64| {
        let c = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * u).round() as u8;
        RGBColor(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    };
    if t < 0.5 {
        mix(GREEN, AMBER, t * 2.0)
    } else {
        mix(AMBER, RED, (t - 0.5) * 2.0)
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

fn draw_heat<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    (x_label, y_label): (&str, &str),
    (x_values, y_values): (&[String], &[String]),
    z: &[Vec<f64>],
    high_is_good: bool,
) -> DrawResult<DB> {
    let (nx, ny) = (x_values.len().max(1), y_values.len().max(1));
    let (lo, hi) = range(z.iter().flatten().copied(), false);
    let mut chart = builder(root, title).build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
    let x_name = |v: &f64| {
        let i = v.floor() as usize;
        if (v - i as f64 - 0.5).abs() < 1e-9 {
            x_values.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let y_name = |v: &f64| {
        let i = v.floor() as usize;
        if (v - i as f64 - 0.5).abs() < 1e-9 {
            y_values.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    axes(&mut chart.configure_mesh(), x_label, y_label)
        .disable_mesh()
        .x_labels(2 * nx + 1)
        .y_labels(2 * ny + 1)
        .x_label_formatter(&x_name)
        .y_label_formatter(&y_name)
        .draw()?;
    for (yi, row) in z.iter().enumerate() {
        for (xi, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let t = (v - lo) / (hi - lo);
            let t = if high_is_good { 1.0 - t } else { t };
            let (x, y) = (xi as f64, yi as f64);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                heat_color(t).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                cell_label(v),
                (x + 0.35, y + 0.55),
                (FONT, 13).into_font().color(&BLACK),
            )))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_render_to_svg_and_png() {
        let series = Series {
            name: "service level".into(),
            color: PALETTE[0],
            points: vec![(0.0, 0.8), (1.0, f64::NAN), (2.0, 0.9), (3.0, 0.85)],
            band: vec![(0.0, 0.7, 0.9), (2.0, 0.85, 0.95), (3.0, 0.8, 0.9)],
        };
        let lines = Chart::Lines {
            title: "Service level by interval".into(),
            x_label: "time (h)".into(),
            y_label: "share".into(),
            series: vec![series],
            markers: vec![],
            from_zero: true,
        };
        let svg = lines.svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("Service level by interval"));
        let png = lines.png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let bars = Chart::Bars {
            title: "Responses".into(),
            x_label: "s".into(),
            y_label: "share".into(),
            bars: vec![Bar {
                low: 0.0,
                high: 30.0,
                value: 0.7,
                color: GREEN,
            }],
            cumulative: vec![(0.0, 0.0), (30.0, 0.7)],
            markers: vec![Marker {
                x: 30.0,
                label: "yellow".into(),
                color: AMBER,
            }],
        };
        assert!(bars.svg().unwrap().contains("yellow"));
        let heat = Chart::Heat {
            title: "Red share".into(),
            x_label: "agents".into(),
            y_label: "yellow".into(),
            x_values: vec!["8".into(), "9".into()],
            y_values: vec!["20s".into()],
            z: vec![vec![0.2, f64::NAN]],
            high_is_good: false,
        };
        assert!(heat.svg().unwrap().contains("0.200"));
        assert!(heat.png().is_ok());
    }
}
