"""The map palettes: every two classes of an unordered palette can be told apart, in normal colour vision and
for the three kinds of colour blindness, and the emerging classes keep warm hues for hot and cool for cold.

Colour blindness is simulated with Machado, Oliveira and Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6), severity 1.0 (the matrices act on linear RGB); colours
are compared by their CIELAB (CIE 1976) distance, sRGB with the D65 white. A distance of about 2.3 is just
noticeable; map classes read at a glance need several times that.
"""

import itertools
import math

import numpy as np
import pytest

from vcdhub.places.analyses import NOT_SIGNIFICANT, PALETTES

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])
LEAST = 12.0  # the smallest CIELAB distance allowed between two classes, in any of the four visions


def linear_rgb(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(hex_colour: str, vision: str = "normal") -> np.ndarray:
    rgb = np.clip(MACHADO[vision] @ linear_rgb(hex_colour), 0, 1)
    xyz = SRGB_TO_XYZ @ rgb / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours: dict[str, str], vision: str) -> tuple[float, str, str]:
    return min((float(np.linalg.norm(lab(a, vision) - lab(b, vision))), x, y)
               for (x, a), (y, b) in itertools.combinations(colours.items(), 2))


def test_the_colour_science_against_known_values():
    # sRGB white and black, and pure red's published CIELAB coordinates (53.24, 80.09, 67.20).
    assert lab("#ffffff") == pytest.approx([100, 0, 0], abs=0.05)
    assert lab("#000000") == pytest.approx([0, 0, 0], abs=1e-9)
    assert lab("#ff0000") == pytest.approx([53.24, 80.09, 67.20], abs=0.05)
    # Under deuteranopia pure red and pure green come out close; in normal vision they are far apart.
    red_green = {"red": "#ff0000", "green": "#00ff00"}
    assert closest_pair(red_green, "normal")[0] > 150
    assert closest_pair(red_green, "deuteranopia")[0] < closest_pair(red_green, "normal")[0] / 3


@pytest.mark.parametrize("vision", list(MACHADO))
def test_every_two_emerging_classes_can_be_told_apart(vision):
    colours = dict(PALETTES["emerging"])
    assert len(colours) == 17 and len(set(colours.values())) == 17
    distance, a, b = closest_pair(colours, vision)
    assert distance >= LEAST, f"{a} and {b} are {distance:.1f} apart in {vision}"


def test_the_sequential_reds_and_blues_the_emerging_classes_had_would_fail():
    # The check can fail: the palette the issue found unreadable, eight reds and eight blues.
    before = ["#fee0d2", "#fcbba1", "#67000d", "#a50f15", "#ef3b2c", "#fc9272", "#cb181d", "#fb6a4a", NOT_SIGNIFICANT,
              "#deebf7", "#c6dbef", "#08306b", "#08519c", "#4292c6", "#9ecae1", "#2171b5", "#6baed6"]
    worst = min(closest_pair(dict(enumerate(before)), vision)[0] for vision in MACHADO)
    assert worst < 8 < LEAST


def test_hot_classes_are_warm_and_cold_classes_cool():
    for label, colour in PALETTES["emerging"]:
        _, a, b = lab(colour)
        hue = math.degrees(math.atan2(b, a))
        if "hot spot" in label:
            assert -45 < hue < 100, (label, colour, hue)  # magenta, red, orange, yellow, brown
        elif "cold spot" in label:
            assert not -45 < hue < 100, (label, colour, hue)  # teal, cyan, blue, purple


@pytest.mark.parametrize("kind", ["alerts", "challenged", "clusters"])
def test_the_classes_of_the_other_unordered_palettes_can_be_told_apart(kind):
    colours = dict(PALETTES[kind])
    for vision in MACHADO:
        distance, a, b = closest_pair(colours, vision)
        assert distance >= LEAST, f"{kind}: {a} and {b} are {distance:.1f} apart in {vision}"
