/**
 * A copy of a TrueType font that keeps only some glyphs' outlines: every other glyph is
 * emptied, glyph ids, metrics, kerning and layout tables stay as they are, so text shapes
 * and draws exactly as with the whole font.
 *
 * Why: resvg (the PNG renderer) re-reads the font file for every glyph it draws; a file of
 * 170 KiB instead of 740 KiB makes the text of a figure about three times cheaper.
 *
 * Kept: glyph 0, the glyphs of the given characters, every glyph a GSUB lookup can put in
 * (ligatures such as "fi", alternates), and the components of composite glyphs.
 */

export interface TrimmedFont {
  data: Buffer;
  /** The characters the copy draws (those of the request that the font maps to a glyph). */
  covered: Set<number>;
}

interface Table {
  offset: number;
  length: number;
}

export function trimFont(font: Buffer, codepoints: Iterable<number>): TrimmedFont {
  const tables = tableDirectory(font);
  const need = (tag: string) => {
    const t = tables.get(tag);
    if (!t) throw new Error(`the font has no ${tag} table`);
    return t;
  };
  const head = need('head');
  const maxp = need('maxp');
  const loca = need('loca');
  const glyf = need('glyf');
  if (font.readUInt32BE(0) !== 0x00010000 && font.toString('latin1', 0, 4) !== 'true') throw new Error('not a TrueType font with glyf outlines');
  const numGlyphs = font.readUInt16BE(maxp.offset + 4);
  const longLoca = font.readInt16BE(head.offset + 50) === 1;
  const glyphStart = (g: number) => glyf.offset + (longLoca ? font.readUInt32BE(loca.offset + 4 * g) : font.readUInt16BE(loca.offset + 2 * g) * 2);

  const cmap = characterMap(font, need('cmap'));
  const keep = new Set<number>([0]);
  const covered = new Set<number>();
  for (const cp of codepoints) {
    const g = cmap(cp);
    if (g > 0 && g < numGlyphs) {
      keep.add(g);
      covered.add(cp);
    }
  }
  const gsub = tables.get('GSUB');
  if (gsub) for (const g of gsubOutputs(font, gsub.offset)) if (g < numGlyphs) keep.add(g);

  // Components of composite glyphs.
  const stack = [...keep];
  while (stack.length > 0) {
    const g = stack.pop()!;
    const start = glyphStart(g);
    if (glyphStart(g + 1) - start < 10 || font.readInt16BE(start) >= 0) continue;
    let p = start + 10;
    for (;;) {
      const flags = font.readUInt16BE(p);
      const component = font.readUInt16BE(p + 2);
      p += 4 + (flags & 0x0001 ? 4 : 2);
      if (flags & 0x0008) p += 2;
      else if (flags & 0x0040) p += 4;
      else if (flags & 0x0080) p += 8;
      if (!keep.has(component) && component < numGlyphs) {
        keep.add(component);
        stack.push(component);
      }
      if (!(flags & 0x0020)) break;
    }
  }

  // glyf with only the kept outlines (4-byte aligned), and a long loca to match.
  const parts: Buffer[] = [];
  const newLoca = Buffer.alloc(4 * (numGlyphs + 1));
  let size = 0;
  for (let g = 0; g < numGlyphs; g++) {
    newLoca.writeUInt32BE(size, 4 * g);
    if (!keep.has(g)) continue;
    const outline = font.subarray(glyphStart(g), glyphStart(g + 1));
    const padded = Buffer.alloc((outline.length + 3) & ~3);
    outline.copy(padded);
    parts.push(padded);
    size += padded.length;
  }
  newLoca.writeUInt32BE(size, 4 * numGlyphs);
  const newHead = Buffer.from(font.subarray(head.offset, head.offset + head.length));
  newHead.writeInt16BE(1, 50); // indexToLocFormat: long
  const replaced = new Map<string, Buffer>([
    ['glyf', Buffer.concat(parts)],
    ['loca', newLoca],
    ['head', newHead],
  ]);
  const post = tables.get('post');
  if (post && post.length >= 32) {
    // Version 3: no glyph names (they are most of the table and nothing draws with them).
    const p = Buffer.from(font.subarray(post.offset, post.offset + 32));
    p.writeUInt32BE(0x00030000, 0);
    replaced.set('post', p);
  }
  return { data: assemble(font, tables, replaced), covered };
}

function tableDirectory(font: Buffer): Map<string, Table> {
  const count = font.readUInt16BE(4);
  const tables = new Map<string, Table>();
  for (let i = 0; i < count; i++) {
    const at = 12 + 16 * i;
    tables.set(font.toString('latin1', at, at + 4), { offset: font.readUInt32BE(at + 8), length: font.readUInt32BE(at + 12) });
  }
  return tables;
}

function assemble(font: Buffer, tables: Map<string, Table>, replaced: Map<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const header = Buffer.alloc(12 + 16 * tags.length);
  font.copy(header, 0, 0, 12);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tags.forEach((tag, i) => {
    const t = tables.get(tag)!;
    const body = replaced.get(tag) ?? font.subarray(t.offset, t.offset + t.length);
    const at = 12 + 16 * i;
    header.write(tag, at, 'latin1');
    header.writeUInt32BE(0, at + 4); // checksum: not checked by font readers that draw
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(body.length, at + 12);
    const padded = Buffer.alloc((body.length + 3) & ~3);
    body.copy(padded);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}

/** Character → glyph id through the font's Unicode cmap (format 12, else 4). */
function characterMap(font: Buffer, cmap: Table): (cp: number) => number {
  const count = font.readUInt16BE(cmap.offset + 2);
  let best: { offset: number; format: number } | undefined;
  for (let i = 0; i < count; i++) {
    const at = cmap.offset + 4 + 8 * i;
    const platform = font.readUInt16BE(at);
    const encoding = font.readUInt16BE(at + 2);
    const offset = cmap.offset + font.readUInt32BE(at + 4);
    const format = font.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    if (!best || (format === 12 && best.format === 4)) best = { offset, format };
  }
  if (!best) throw new Error('the font has no Unicode cmap of format 4 or 12');
  const { offset, format } = best;
  if (format === 12) {
    const groups = font.readUInt32BE(offset + 12);
    return (cp) => {
      for (let i = 0; i < groups; i++) {
        const at = offset + 16 + 12 * i;
        const start = font.readUInt32BE(at);
        if (cp >= start && cp <= font.readUInt32BE(at + 4)) return font.readUInt32BE(at + 8) + (cp - start);
      }
      return 0;
    };
  }
  const segments = font.readUInt16BE(offset + 6) / 2;
  const ends = offset + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segments; s++) {
      if (cp > font.readUInt16BE(ends + 2 * s)) continue;
      const start = font.readUInt16BE(starts + 2 * s);
      if (cp < start) return 0;
      const delta = font.readInt16BE(deltas + 2 * s);
      const ro = font.readUInt16BE(rangeOffsets + 2 * s);
      if (ro === 0) return (cp + delta) & 0xffff;
      const g = font.readUInt16BE(rangeOffsets + 2 * s + ro + 2 * (cp - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}

/** Every glyph id that a GSUB lookup can output (single, multiple, alternate, ligature, reverse chaining). */
function gsubOutputs(font: Buffer, gsub: number): Set<number> {
  const out = new Set<number>();
  const u16 = (at: number) => font.readUInt16BE(at);
  const coverage = (at: number): number[] => {
    const format = u16(at);
    const n = u16(at + 2);
    const glyphs: number[] = [];
    if (format === 1) for (let i = 0; i < n; i++) glyphs.push(u16(at + 4 + 2 * i));
    else if (format === 2) for (let i = 0; i < n; i++) for (let g = u16(at + 4 + 6 * i); g <= u16(at + 6 + 6 * i); g++) glyphs.push(g);
    return glyphs;
  };
  const subtable = (type: number, at: number) => {
    const format = u16(at);
    if (type === 7) return subtable(u16(at + 2), at + font.readUInt32BE(at + 4));
    if (type === 1 && format === 1) {
      const delta = font.readInt16BE(at + 4);
      for (const g of coverage(at + u16(at + 2))) out.add((g + delta) & 0xffff);
    } else if (type === 1 && format === 2) {
      for (let i = 0; i < u16(at + 4); i++) out.add(u16(at + 6 + 2 * i));
    } else if (type === 2 || type === 3) {
      for (let i = 0; i < u16(at + 4); i++) {
        const set = at + u16(at + 6 + 2 * i);
        for (let j = 0; j < u16(set); j++) out.add(u16(set + 2 + 2 * j));
      }
    } else if (type === 4) {
      for (let i = 0; i < u16(at + 4); i++) {
        const set = at + u16(at + 6 + 2 * i);
        for (let j = 0; j < u16(set); j++) out.add(u16(set + u16(set + 2 + 2 * j)));
      }
    } else if (type === 8) {
      let p = at + 4;
      p += 2 + 2 * u16(p);
      p += 2 + 2 * u16(p);
      for (let i = 0; i < u16(p); i++) out.add(u16(p + 2 + 2 * i));
    }
  };
  const lookups = gsub + u16(gsub + 8);
  for (let i = 0; i < u16(lookups); i++) {
    const lookup = lookups + u16(lookups + 2 + 2 * i);
    const type = u16(lookup);
    for (let j = 0; j < u16(lookup + 4); j++) subtable(type, lookup + u16(lookup + 6 + 2 * j));
  }
  return out;
}
