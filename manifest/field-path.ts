/** A field as an administrator reads it in a manifest: `bots[0].commandLists[1].commands[0].title`. */
export function fieldPath(segments: readonly (string | number)[]): string {
  if (segments.length === 0) return '(manifest)';
  return segments
    .map((segment, index) =>
      typeof segment === 'number' || /^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}
