/**
 * Draws the app's two icons: a family of three under a roof.
 *
 *   npx tsx manifest/draw-icons.ts     (rewrites manifest/color.png and manifest/outline.png)
 *
 * Teams wants a colour icon of 192×192 and an outline icon of 32×32 that is white on a fully transparent
 * background. Both are drawn from the same shapes, in a unit square, sampled 8×8 times per pixel.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Shape = (x: number, y: number) => boolean;
type Rgb = readonly [number, number, number];

/** A calm teal; also the manifest's accentColor. */
export const ICON_BACKGROUND: Rgb = [0x2f, 0x7d, 0x7a];
const WHITE: Rgb = [0xff, 0xff, 0xff];

const polygon =
  (points: readonly (readonly [number, number])[]): Shape =>
  (x, y) => {
    // Even-odd ray casting.
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i]!;
      const [xj, yj] = points[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2;
/** The top half of an ellipse: shoulders and body of a figure. */
const shoulders =
  (cx: number, top: number, rx: number, bottom: number): Shape =>
  (x, y) =>
    y <= bottom && ((x - cx) / rx) ** 2 + ((y - bottom) / (bottom - top)) ** 2 <= 1;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((shape) => shape(x, y));
/** The shape grown or shrunk by `factor` around the point (cx, cy). */
const scaled =
  (shape: Shape, factor: number, cx: number, cy: number): Shape =>
  (x, y) =>
    shape(cx + (x - cx) / factor, cy + (y - cy) / factor);
const minus =
  (shape: Shape, hole: Shape): Shape =>
  (x, y) =>
    shape(x, y) && !hole(x, y);

/** A house: a roof with eaves over walls. `inset` shrinks it evenly (for the outline's inner edge). */
function house(inset = 0): Shape {
  const apexY = 0.12 + inset * 1.4;
  return polygon([
    [0.5, apexY],
    [0.93 - inset * 1.4, 0.5 - inset * 0.2],
    [0.82 - inset, 0.5 - inset * 0.2],
    [0.82 - inset, 0.88 - inset],
    [0.18 + inset, 0.88 - inset],
    [0.18 + inset, 0.5 - inset * 0.2],
    [0.07 + inset * 1.4, 0.5 - inset * 0.2],
  ]);
}

const FLOOR = 0.8;
const parents = union(
  circle(0.36, 0.5, 0.062),
  shoulders(0.36, 0.59, 0.1, FLOOR),
  circle(0.64, 0.5, 0.062),
  shoulders(0.64, 0.59, 0.1, FLOOR),
);
const child = union(circle(0.5, 0.63, 0.05), shoulders(0.5, 0.7, 0.075, FLOOR));
/** A gap around the child, so that it stands in front of its parents rather than merging with them. */
const childGap = union(circle(0.5, 0.63, 0.075), shoulders(0.5, 0.675, 0.1, FLOOR));

/** Each layer paints its colour where its shape is, over the layers before it. */
function render(size: number, background: Rgb | undefined, layers: readonly { shape: Shape; color: Rgb }[]): PNG {
  const png = new PNG({ width: size, height: size });
  const samples = 8;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let color = background;
          for (const layer of layers) if (layer.shape(x, y)) color = layer.color;
          if (color) {
            r += color[0];
            g += color[1];
            b += color[2];
            a += 1;
          }
        }
      }
      const offset = (py * size + px) * 4;
      // Colours are averaged over the covered samples only, so an edge is white at partial alpha, never grey.
      png.data[offset] = a ? Math.round(r / a) : 0;
      png.data[offset + 1] = a ? Math.round(g / a) : 0;
      png.data[offset + 2] = a ? Math.round(b / a) : 0;
      png.data[offset + 3] = Math.round((255 * a) / (samples * samples));
    }
  }
  return png;
}

/** 192×192: a white house with a teal family in it, on a teal square. */
export function drawColorIcon(): PNG {
  return render(192, ICON_BACKGROUND, [
    { shape: house(), color: WHITE },
    { shape: parents, color: ICON_BACKGROUND },
    { shape: childGap, color: WHITE },
    { shape: child, color: ICON_BACKGROUND },
  ]);
}

/** 32×32: the house's outline and the family, white on transparent. */
export function drawOutlineIcon(): PNG {
  const stroke = 0.075;
  // Smaller than on the colour icon, so that a pixel of air stays between the family and the walls.
  const family = scaled(union(minus(parents, childGap), child), 0.8, 0.5, FLOOR);
  return render(32, undefined, [{ shape: union(minus(house(), house(stroke)), family), color: WHITE }]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  writeFileSync(path.join(dir, 'color.png'), PNG.sync.write(drawColorIcon()));
  writeFileSync(path.join(dir, 'outline.png'), PNG.sync.write(drawOutlineIcon()));
  console.log('manifest/color.png en manifest/outline.png getekend');
}
