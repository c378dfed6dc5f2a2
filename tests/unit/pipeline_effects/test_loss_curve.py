"""results.csv parsing and the hand-written loss-curve SVG."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from shared.loss_curve import (
    decode_results_file,
    final_metrics,
    loss_curve_svg,
    nice_ticks,
    parse_results_csv,
    tick_label,
)

pytestmark = pytest.mark.unit

SVG = "{http://www.w3.org/2000/svg}"
CSV = (
    "\ufeffstep,train_loss,train_mean_token_accuracy,valid_loss,valid_mean_token_accuracy\n"
    "1,2.50,0.40,,\n2,2.00,0.50,2.20,0.45\n3,1.50,0.60,,\n4,1.00,0.70,1.40,0.66\n"
)


def test_parse_keeps_numbers_and_blank_cells_as_none() -> None:
    rows = parse_results_csv(CSV)
    assert [row["step"] for row in rows] == [1, 2, 3, 4]
    assert rows[0]["valid_loss"] is None and rows[1]["valid_loss"] == 2.2


def test_final_metrics_are_the_last_known_values() -> None:
    metrics = final_metrics(parse_results_csv(CSV))
    assert metrics["train_loss"] == 1.0 and metrics["valid_loss"] == 1.4 and metrics["step"] == 4


def test_svg_has_one_line_per_series_with_a_point_per_value() -> None:
    svg = loss_curve_svg(parse_results_csv(CSV), title="Loss <run & co>")
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [line.find(f"{SVG}title").text for line in lines] == ["train loss", "validation loss (batch)"]
    train = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    valid = [tuple(map(float, p.split(","))) for p in lines[1].get("points").split()]
    assert len(train) == 4 and len(valid) == 2
    xs = [x for x, _ in train]
    assert xs == sorted(xs) and len(set(xs)) == 4
    ys = [y for _, y in train]
    assert ys == sorted(ys)  # loss falls, and SVG's y axis points down
    assert "Loss &lt;run &amp; co&gt;" in svg


def test_svg_without_values_says_so() -> None:
    root = ET.fromstring(loss_curve_svg([]))
    assert root.findall(f"{SVG}polyline") == []
    assert any(text.text == "no loss values" for text in root.iter(f"{SVG}text"))


def test_results_file_plain_or_base64_decodes_to_the_same_csv() -> None:
    plain = decode_results_file(CSV.encode("utf-8"))
    assert plain.startswith("step,train_loss")
    assert decode_results_file(base64.b64encode(CSV.encode("utf-8"))) == plain


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize(("low", "high", "integer", "ticks"), [
    (0.0, 1.7768, False, [0.0, 0.5, 1.0, 1.5, 2.0]),
    (0.0, 2.6, False, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]),
    (0.0, 0.0123, False, [0.0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.012, 0.014]),
    (0.3553, 1.7768, False, [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8]),
    (1, 10, True, [0, 2, 4, 6, 8, 10]),
    (1, 4, True, [1, 2, 3, 4]),           # fewer steps than ticks: still whole steps
    (1, 1, True, [1, 2]),
    (1, 3000, True, [0, 500, 1000, 1500, 2000, 2500, 3000]),
])
def test_ticks_are_1_2_5_steps_and_whole_numbers_on_the_step_axis(low, high, integer, ticks) -> None:
    assert nice_ticks(low, high, integer=integer) == pytest.approx(ticks)


def test_tick_labels_show_as_many_decimals_as_the_step_needs() -> None:
    assert [tick_label(v, 0.2) for v in (0.0, 0.4, 1.6000000000000003)] == ["0.0", "0.4", "1.6"]
    assert [tick_label(v, 0.002) for v in (0.0, 0.012)] == ["0.000", "0.012"]
    assert tick_label(1500.0, 500.0) == "1500"


def test_axes_carry_nice_ticks_not_the_data_s_odd_values() -> None:
    csv = "step,train_loss\n" + "".join(f"{i},{1.7768 / i:.4f}\n" for i in range(1, 11))
    texts = _texts(loss_curve_svg(parse_results_csv(csv)))
    assert {"0.0", "0.5", "1.0", "1.5", "2.0"} <= set(texts)
    assert {"0", "2", "4", "6", "8", "10"} <= set(texts)
    assert not [t for t in texts if "." in t and t.replace(".", "").isdigit() and len(t.split(".")[1]) > 1]


FULL = ("step,train_loss,train_mean_token_accuracy,valid_loss,valid_mean_token_accuracy,full_valid_loss,"
        "full_valid_mean_token_accuracy\n"
        "1,2.5,0.40,2.6,0.38,,\n2,2.0,0.50,2.3,0.45,,\n3,1.5,0.60,1.9,0.55,1.8,0.57\n"
        "4,1.2,0.70,1.7,0.61,,\n5,0.9,0.78,1.6,0.64,1.5,0.66\n")


def test_the_validation_curve_is_the_full_validation_loss_when_the_service_reports_it() -> None:
    root = ET.fromstring(loss_curve_svg(parse_results_csv(FULL)))
    lines = root.findall(f"{SVG}polyline")
    assert [line.find(f"{SVG}title").text for line in lines] == ["train loss", "validation loss (full file)"]
    assert len(lines[1].get("points").split()) == 2  # the two full_valid_loss values, not the five batches


def test_the_title_names_run_model_and_job_and_the_final_values_are_written() -> None:
    svg = loss_curve_svg(parse_results_csv(FULL), "Loss per step: faq", model="gpt-4o-mini-2024-07-18",
                         job="ftjob-abc")
    texts = _texts(svg)
    assert "Loss per step: faq" in texts
    assert "model gpt-4o-mini-2024-07-18 · job ftjob-abc" in texts
    assert [t for t in texts if t.startswith("final")] == [
        "final loss (step 5): train 0.900 · validation 1.500",   # full_valid_loss, not the batch's 1.6
        "final token accuracy: train 0.780 · validation 0.660"]


def test_the_chart_renders_to_a_png_with_both_curves(tmp_path) -> None:
    import cairosvg  # pinned in requirements-dev.txt: a missing renderer fails, it is not skipped
    from PIL import Image

    svg = loss_curve_svg(parse_results_csv(FULL), "Loss per step: faq", model="gpt-4o-mini-2024-07-18",
                         job="ftjob-abc")
    png = tmp_path / "loss.png"
    cairosvg.svg2png(bytestring=svg.encode(), write_to=str(png))
    image = Image.open(png).convert("RGB")
    assert image.size == (720, 450)
    pixels = list(image.get_flattened_data())
    colors = set(pixels)

    def near(rgb: tuple[int, int, int]) -> bool:
        return any(sum(abs(a - b) for a, b in zip(c, rgb, strict=True)) < 40 for c in colors)

    assert near((0x1F, 0x77, 0xB4)) and near((0xD6, 0x27, 0x28))  # the train and validation curves
    assert sum(1 for c in pixels if c != (255, 255, 255)) > 5_000  # axes, text and lines drawn
