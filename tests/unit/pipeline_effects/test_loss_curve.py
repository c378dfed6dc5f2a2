"""results.csv parsing and the hand-written loss-curve SVG."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from shared.loss_curve import decode_results_file, final_metrics, loss_curve_svg, parse_results_csv

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
    assert [line.find(f"{SVG}title").text for line in lines] == ["train loss", "validation loss"]
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
