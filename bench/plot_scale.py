#!/usr/bin/env python3
"""Draws bench/scale.sh's curve as an SVG: wall time and peak memory against objects, one
line per shape. usage: plot_scale.py scale.tsv out.svg (no dependencies)."""
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])][1:]
shapes = sorted({r[1] for r in rows})
colours = {s: c for s, c in zip(shapes, ["#1f77b4", "#d62728", "#2ca02c"])}
W, H, PAD = 360, 240, 48
max_n = max(int(r[0]) for r in rows)


def panel(x0, title, column, unit):
    top = max(float(r[column]) for r in rows) * 1.15 or 1
    sx = lambda n: x0 + PAD + (W - 2 * PAD) * n / max_n
    sy = lambda v: H - PAD + 10 - (H - 2 * PAD) * v / top
    out = [f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>']
    out.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(max_n)}" y2="{sy(0)}" stroke="#333"/>')
    out.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(0)}" y2="{sy(top)}" stroke="#333"/>')
    for i in range(5):
        v = top * i / 4
        out.append(f'<text x="{sx(0) - 4}" y="{sy(v) + 4}" text-anchor="end" font-size="10">{v:.1f}{unit}</text>')
    for n in sorted({int(r[0]) for r in rows}):
        out.append(f'<text x="{sx(n)}" y="{sy(0) + 14}" text-anchor="middle" font-size="10">{n // 1000}k</text>')
    for s in shapes:
        pts = sorted((int(r[0]), float(r[column])) for r in rows if r[1] == s)
        path = " ".join(f"{sx(n):.1f},{sy(v):.1f}" for n, v in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colours[s]}" stroke-width="2"/>')
        out += [f'<circle cx="{sx(n):.1f}" cy="{sy(v):.1f}" r="3" fill="{colours[s]}"/>' for n, v in pts]
    return out


parts = panel(0, "wall time (full catalogue)", 2, " s") + panel(W, "peak memory", 3, " MB")
for i, s in enumerate(shapes):
    parts.append(f'<rect x="{PAD + i * 170}" y="{H + 2}" width="12" height="12" fill="{colours[s]}"/>')
    parts.append(f'<text x="{PAD + i * 170 + 16}" y="{H + 12}" font-size="11">{s}</text>')
svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 20}" font-family="sans-serif" font-size="12">' + "".join(parts) + "</svg>\n"
open(sys.argv[2], "w").write(svg)
