import { PNG } from 'pngjs';

export type IconSpec = {
  /** Width and height in pixels. */
  size: number;
  /** Teams' outline icon: every pixel white (#FFFFFF) at some opacity, or fully transparent. */
  whiteOnTransparent: boolean;
};

/** What Teams asks of the two icons of an app package. */
export const ICON_SPECS = {
  color: { size: 192, whiteOnTransparent: false },
  outline: { size: 32, whiteOnTransparent: true },
} as const satisfies Record<string, IconSpec>;

/** Problems with one icon, each starting with `label` (e.g. "icons.outline (outline.png)"). */
export function checkIcon(label: string, file: Buffer, spec: IconSpec): string[] {
  let png: PNG;
  try {
    png = PNG.sync.read(file);
  } catch {
    return [`${label}: geen geldig PNG-bestand`];
  }
  if (png.width !== spec.size || png.height !== spec.size) {
    return [`${label}: moet ${spec.size}×${spec.size} pixels zijn, is ${png.width}×${png.height}`];
  }
  if (!spec.whiteOnTransparent) return [];

  // pngjs hands every image over as 8-bit RGBA, whatever its colour type.
  let coloured = 0;
  let firstColoured: string | undefined;
  let transparent = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
    if (a === 0) transparent++;
    else if (r !== 255 || g !== 255 || b !== 255) {
      coloured++;
      const pixel = i / 4;
      firstColoured ??= `(${pixel % png.width}, ${Math.floor(pixel / png.width)})`;
    }
  }
  const problems: string[] = [];
  if (coloured > 0) {
    problems.push(`${label}: mag alleen wit (#FFFFFF) en transparant bevatten; ${coloured} pixel(s) hebben een andere kleur, de eerste op ${firstColoured}`);
  }
  const corners = [0, png.width - 1, (png.height - 1) * png.width, png.height * png.width - 1];
  if (corners.some((pixel) => png.data[pixel * 4 + 3] !== 0)) {
    problems.push(`${label}: moet een volledig transparante achtergrond hebben (de hoeken zijn niet transparant)`);
  }
  if (transparent === png.width * png.height) problems.push(`${label}: is helemaal leeg`);
  return problems;
}
