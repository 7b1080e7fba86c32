/**
 * Caption files: every format and the auto detection, the normalisation of names and
 * captions, what is skipped and counted, the errors a person sees, and the name matching.
 */
import { describe, expect, it } from 'vitest';
import { LafiteError } from '../contract/errors.ts';
import { matchImageNames, MAX_CAPTION_CHARS, parseCaptionFile, type CaptionEntry } from './caption-files.ts';

const json = (value: unknown): string => JSON.stringify(value, null, 2);
const pairs = (entries: CaptionEntry[]): string[][] => entries.map((e) => [e.image, e.caption]);

/** The error a call throws, asserting it is an invalid_input LafiteError (never a raw SyntaxError). */
function errorOf(call: () => unknown): LafiteError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(LafiteError);
    expect((error as LafiteError).code).toBe('invalid_input');
    return error as LafiteError;
  }
  throw new Error('expected an error');
}

describe('parseCaptionFile: json', () => {
  it('reads a list of objects under any image and caption key', () => {
    const text = json([
      { image: 'a.jpg', caption: 'a red bird' },
      { file_name: 'b.jpg', text: 'a blue bird' },
      { path: 'c.jpg', captions: ['one', 'two'] },
      { img: 'd.jpg', sentences: [{ raw: 'from raw', tokens: ['from', 'raw'] }, 'plain'] },
      { image_path: 'e.jpg', captions: 'single' },
      { filename: 'f.jpg', file: 'g.jpg', caption: 'file wins over filename' },
    ]);
    const parsed = parseCaptionFile(text, 'json', 'captions.json');
    expect(parsed.format).toBe('json');
    expect(parsed.skipped).toBe(0);
    expect(pairs(parsed.entries)).toEqual([
      ['a.jpg', 'a red bird'],
      ['b.jpg', 'a blue bird'],
      ['c.jpg', 'one'],
      ['c.jpg', 'two'],
      ['d.jpg', 'from raw'],
      ['d.jpg', 'plain'],
      ['e.jpg', 'single'],
      ['g.jpg', 'file wins over filename'],
    ]);
  });

  it('reads an object mapping names to a caption, a list, or a caption object', () => {
    const text = json({ 'a.jpg': 'first', 'b.jpg': ['second', 'third'], 'c.jpg': { caption: 'fourth' } });
    expect(pairs(parseCaptionFile(text, 'json', 'map.json').entries)).toEqual([
      ['a.jpg', 'first'],
      ['b.jpg', 'second'],
      ['b.jpg', 'third'],
      ['c.jpg', 'fourth'],
    ]);
  });

  it("reads Karpathy's split file (images with sentences)", () => {
    const text = json({ dataset: 'coco', images: [{ filepath: 'val2014', filename: 'x.jpg', sentences: [{ raw: 'A dog.' }, { raw: 'A puppy.' }] }] });
    const parsed = parseCaptionFile(text, 'auto', 'dataset_coco.json');
    expect(parsed.format).toBe('json');
    expect(pairs(parsed.entries)).toEqual([
      ['x.jpg', 'A dog.'],
      ['x.jpg', 'A puppy.'],
    ]);
  });

  it('normalises names (backslashes, leading ./) and captions (trim, collapse whitespace)', () => {
    const text = json([
      { image: '.\\birds\\a.jpg', caption: '  a red\n\n bird\t on a branch  ' },
      { image: './b.jpg', caption: 'x' },
    ]);
    expect(pairs(parseCaptionFile(text, 'json', 'c.json').entries)).toEqual([
      ['birds/a.jpg', 'a red bird on a branch'],
      ['b.jpg', 'x'],
    ]);
  });

  it('skips and counts empty captions, empty names and captions over the limit', () => {
    const text = json([
      { image: 'a.jpg', caption: '' },
      { image: 'a.jpg', caption: ' \n ' },
      { image: 'a.jpg', caption: null },
      { image: '', caption: 'no image' },
      { image: 'a.jpg', caption: 'x'.repeat(MAX_CAPTION_CHARS + 1) },
      { image: 'a.jpg', caption: `${'y'.repeat(MAX_CAPTION_CHARS)}   ` },
      { image: 'b.jpg', captions: [] },
    ]);
    const parsed = parseCaptionFile(text, 'json', 'c.json');
    expect(parsed.skipped).toBe(5);
    expect(parsed.entries).toEqual([{ image: 'a.jpg', caption: 'y'.repeat(MAX_CAPTION_CHARS) }]);
  });

  it('names the file and the position of invalid JSON', () => {
    const text = '[\n  {"image": "a.jpg", "caption": "x"}\n  {"image": "b.jpg", "caption": "y"}\n]';
    const error = errorOf(() => parseCaptionFile(text, 'json', 'captions.json'));
    expect(error.message).toMatch(/^captions\.json: invalid JSON at line 3, column 3: /);
    expect(error.field).toBe('file');
    expect(errorOf(() => parseCaptionFile('{"a.jpg": ', 'auto', 'c.json')).message).toMatch(/^c\.json: invalid JSON/);
  });

  it('suggests JSON Lines for a .json file holding one object per line', () => {
    const text = '{"image": "a.jpg", "caption": "x"}\n{"image": "b.jpg", "caption": "y"}\n';
    expect(errorOf(() => parseCaptionFile(text, 'auto', 'c.json')).message).toBe(
      'c.json: invalid JSON at line 2, column 1: Unexpected non-whitespace character after JSON (if it holds one object per line, name it .jsonl or choose format jsonl)',
    );
  });

  it('says which keys it expected and which it found', () => {
    const noImage = errorOf(() =>
      parseCaptionFile(
        json([
          { image: 'a.jpg', caption: 'x' },
          { url: 'b.jpg', caption: 'y' },
        ]),
        'json',
        'c.json',
      ),
    );
    expect(noImage.message).toBe('c.json item 2: no image key (expected one of image, file, file_name, filename, path, img, image_path; found url, caption)');
    const noCaption = errorOf(() => parseCaptionFile(json([{ image: 'a.jpg', label: 'x' }]), 'json', 'c.json'));
    expect(noCaption.message).toBe('c.json item 1: no caption key (expected one of caption, text, captions, sentences; found image, label)');
    const mapped = errorOf(() => parseCaptionFile(json({ 'a.jpg': { label: 'x' } }), 'json', 'c.json'));
    expect(mapped.message).toContain("c.json key 'a.jpg': no caption key");
  });

  it('refuses wrong shapes with a message, not a crash', () => {
    expect(errorOf(() => parseCaptionFile('42', 'json', 'c.json')).message).toContain('expected a list of {image, caption} objects');
    expect(errorOf(() => parseCaptionFile(json(['a.jpg']), 'json', 'c.json')).message).toContain('c.json item 1: expected an object');
    expect(errorOf(() => parseCaptionFile(json([{ image: 7, caption: 'x' }]), 'json', 'c.json')).message).toContain("'image' must be a string");
    expect(errorOf(() => parseCaptionFile(json([{ image: 'a.jpg', caption: 7 }]), 'json', 'c.json')).message).toContain('a caption must be a string');
    expect(errorOf(() => parseCaptionFile(json({ 'a.jpg': [['nested']] }), 'json', 'c.json')).message).toContain("key 'a.jpg'");
    const coco = json({ images: [{ id: 1, file_name: 'a.jpg' }], annotations: [] });
    expect(errorOf(() => parseCaptionFile(coco, 'json', 'c.json')).message).toContain('choose format coco or auto');
    expect(errorOf(() => parseCaptionFile(json({ images: [{ id: 1, file_name: 'a.jpg' }], annotations: 3 }), 'auto', 'c.json')).message).toBe(
      "c.json: 'annotations' must be a list of {image_id, caption} (COCO captions), found number 3",
    );
  });

  it('refuses an empty file and a file with nothing in it', () => {
    expect(errorOf(() => parseCaptionFile('', 'json', 'c.json')).message).toBe('c.json is empty');
    expect(errorOf(() => parseCaptionFile('\uFEFF  \n', 'auto', 'c.csv')).message).toBe('c.csv is empty');
    expect(errorOf(() => parseCaptionFile('[]', 'json', 'c.json')).message).toBe('c.json holds no captions');
    expect(errorOf(() => parseCaptionFile('image,caption\n', 'csv', 'c.csv')).message).toBe('c.csv holds no captions');
  });
});

describe('parseCaptionFile: jsonl', () => {
  it('reads one object per line, skipping blank lines, with CRLF endings', () => {
    const text = '{"image": "a.jpg", "caption": "one"}\r\n\r\n   \n{"file_name": "b.jpg", "captions": ["two", "three"]}\r\n';
    const parsed = parseCaptionFile(text, 'jsonl', 'c.jsonl');
    expect(parsed.format).toBe('jsonl');
    expect(pairs(parsed.entries)).toEqual([
      ['a.jpg', 'one'],
      ['b.jpg', 'two'],
      ['b.jpg', 'three'],
    ]);
  });

  it('names the line of a bad line', () => {
    const text = '{"image": "a.jpg", "caption": "one"}\n\n{"image": "b.jpg", caption: "two"}\n';
    const error = errorOf(() => parseCaptionFile(text, 'jsonl', 'c.jsonl'));
    expect(error.message).toMatch(/^c\.jsonl line 3: invalid JSON: /);
    expect(errorOf(() => parseCaptionFile('{"image": "a.jpg", "caption": "x"}\n["b.jpg"]\n', 'jsonl', 'c.jsonl')).message).toBe(
      'c.jsonl line 2: expected an object with an image and a caption, found a list',
    );
    expect(errorOf(() => parseCaptionFile('{"src": "a.jpg", "caption": "x"}\n', 'jsonl', 'c.jsonl')).message).toContain('c.jsonl line 1: no image key');
  });
});

describe('parseCaptionFile: csv and tsv', () => {
  it('reads quoted fields with commas, newlines and quotes, several rows per image', () => {
    const text = '\uFEFFImage,Caption\r\n"a.jpg","a bird, red"\r\na.jpg,"two\nlines"\r\nb.jpg,"she said ""hi"""\r\n,\r\n';
    const parsed = parseCaptionFile(text, 'auto', 'captions.csv');
    expect(parsed.format).toBe('csv');
    expect(pairs(parsed.entries)).toEqual([
      ['a.jpg', 'a bird, red'],
      ['a.jpg', 'two lines'],
      ['b.jpg', 'she said "hi"'],
    ]);
    expect(parsed.skipped).toBe(0);
  });

  it('takes the columns by name in any order and ignores the others', () => {
    const text = 'id,text,width,file_name\n1,a cat,64,cats\\tom.jpg\n2,,64,cats/jerry.jpg\n';
    const parsed = parseCaptionFile(text, 'csv', 'meta.txt');
    expect(pairs(parsed.entries)).toEqual([['cats/tom.jpg', 'a cat']]);
    expect(parsed.skipped).toBe(1);
  });

  it('detects a tab delimiter (TSV, where quotes inside a field are literal) and a semicolon one', () => {
    const tsv = 'filename\tcaption\na.jpg\tA sign saying "stop", red\nb.jpg\t"quoted\twith tab"\n';
    expect(pairs(parseCaptionFile(tsv, 'auto', 'c.tsv').entries)).toEqual([
      ['a.jpg', 'A sign saying "stop", red'],
      ['b.jpg', 'quoted with tab'],
    ]);
    expect(pairs(parseCaptionFile('image;caption\na.jpg;one, two\n', 'csv', 'c.csv').entries)).toEqual([['a.jpg', 'one, two']]);
  });

  it('says which columns it expected and which it found', () => {
    expect(errorOf(() => parseCaptionFile('url,label\na.jpg,x\n', 'csv', 'c.csv')).message).toBe(
      'c.csv: no image column (expected a header row naming one of image, file, file_name, filename, path, img, image_path; found url, label)',
    );
    expect(errorOf(() => parseCaptionFile('image,label\na.jpg,x\n', 'csv', 'c.csv')).message).toBe(
      'c.csv: no caption column (expected a header row naming one of caption, text, captions; found image, label)',
    );
    expect(errorOf(() => parseCaptionFile('a.jpg,a bird\n', 'csv', 'c.csv')).message).toContain('found a.jpg, a bird');
    // A line that is no header (a file that was never captions) is not repeated.
    const secret = errorOf(() => parseCaptionFile('HOME=/root\0PATH=/usr/bin\0TOKEN=s3cr3t\n', 'csv', 'environ')).message;
    expect(secret).not.toMatch(/s3cr3t|HOME|PATH/);
    expect(secret).toContain('found a first line of 1 fields that are not column names');
  });

  it('turns parser errors into messages naming the file and line', () => {
    expect(errorOf(() => parseCaptionFile('image,caption\na.jpg,one,two\n', 'csv', 'c.csv')).message).toMatch(/^c\.csv: .*line 2/);
    expect(errorOf(() => parseCaptionFile('image,caption\na.jpg,"never closed\n', 'csv', 'c.csv')).message).toMatch(/^c\.csv: Quote Not Closed/);
  });
});

describe('parseCaptionFile: coco', () => {
  const coco = {
    info: { description: 'COCO 2014' },
    images: [
      { id: 1, file_name: 'COCO_val2014_000000000001.jpg', width: 640 },
      { id: 2, file_name: 'COCO_val2014_000000000002.jpg', width: 640 },
    ],
    annotations: [
      { id: 10, image_id: 1, caption: 'A man riding a horse.' },
      { id: 11, image_id: 2, caption: 'Two cats.' },
      { id: 12, image_id: 1, caption: ' A horse with  a rider. ' },
      { id: 13, image_id: 99, caption: 'No such image.' },
      { id: 14, image_id: 2, caption: '' },
    ],
  };

  it('reads several captions per image, skipping and counting unknown image ids', () => {
    const parsed = parseCaptionFile(json(coco), 'coco', 'captions_val2014.json');
    expect(parsed.format).toBe('coco');
    expect(pairs(parsed.entries)).toEqual([
      ['COCO_val2014_000000000001.jpg', 'A man riding a horse.'],
      ['COCO_val2014_000000000002.jpg', 'Two cats.'],
      ['COCO_val2014_000000000001.jpg', 'A horse with a rider.'],
    ]);
    expect(parsed.skipped).toBe(2);
  });

  it('is detected from a .json file with images and annotations', () => {
    expect(parseCaptionFile(json(coco), 'auto', 'captions.JSON').format).toBe('coco');
  });

  it('refuses other shapes', () => {
    expect(errorOf(() => parseCaptionFile(json([{ image: 'a.jpg', caption: 'x' }]), 'coco', 'c.json')).message).toBe(
      "c.json is not COCO captions: expected an object with 'images' and 'annotations' lists, found a list",
    );
    expect(errorOf(() => parseCaptionFile(json({ images: [{ id: 1 }], annotations: [] }), 'coco', 'c.json')).message).toBe(
      'c.json images item 1: expected {id, file_name}, found keys id',
    );
    expect(errorOf(() => parseCaptionFile(json({ images: [], annotations: [{ image_id: 1, text: 'x' }] }), 'coco', 'c.json')).message).toContain('annotations item 1');
  });
});

describe('parseCaptionFile: auto', () => {
  const record = '{"image": "a.jpg", "caption": "x"}\n';
  it('goes by the extension', () => {
    expect(parseCaptionFile(record, 'auto', 'c.jsonl').format).toBe('jsonl');
    expect(parseCaptionFile(record, 'auto', 'c.NDJSON').format).toBe('jsonl');
    expect(parseCaptionFile(`[${record}]`, 'auto', 'c.json').format).toBe('json');
    expect(parseCaptionFile('image,caption\na.jpg,x\n', 'auto', 'c.CSV').format).toBe('csv');
    expect(parseCaptionFile('image\tcaption\na.jpg\tx\n', 'auto', 'c.tsv').format).toBe('csv');
  });

  it('asks for a format when the extension says nothing', () => {
    const error = errorOf(() => parseCaptionFile(record, 'auto', 'captions.txt'));
    expect(error.field).toBe('format');
    expect(error.message).toContain('cannot tell the format of captions.txt');
  });
});

describe('matchImageNames', () => {
  const targets = [
    { id: 1, path: 'root.jpg' },
    { id: 2, path: 'birds/robin.jpg' },
    { id: 3, path: 'train/dup.jpg' },
    { id: 4, path: 'val/dup.jpg' },
    { id: 5, path: 'x/a/b.jpg' },
    { id: 6, path: 'Cats/Tom.jpg' },
    { id: 7, path: 'b.jpg' },
    { id: 8, path: 'p/q/same.jpg' },
    { id: 9, path: 'r/q/same.jpg' },
  ];
  const match = (name: string): number | undefined => matchImageNames([{ image: name, caption: 'c' }], targets).matched[0]?.imageId;

  it('matches the exact path first, even when the name is also an ending', () => {
    expect(match('root.jpg')).toBe(1);
    expect(match('birds/robin.jpg')).toBe(2);
    expect(match('b.jpg')).toBe(7); // also the ending of x/a/b.jpg
  });

  it("then by the path's ending, on folder boundaries", () => {
    expect(match('a/b.jpg')).toBe(5);
    expect(match('robin.jpg')).toBe(2);
    const boundaries = [
      { id: 1, path: 'xa/b.jpg' },
      { id: 2, path: 'y/b.jpg' },
    ];
    expect(matchImageNames([{ image: 'a/b.jpg', caption: 'c' }], boundaries).matched).toEqual([]); // not `x` + `a/b.jpg`
  });

  it('then an image path the name ends with (a name with more folders), then a unique base name', () => {
    expect(match('/data/coco/train/dup.jpg')).toBe(3);
    expect(match('C:/data/val/dup.jpg')).toBe(4);
    expect(match('/data/elsewhere/robin.jpg')).toBe(2);
    expect(match('ds/robin.jpg')).toBe(2);
  });

  it('leaves ambiguous names unmatched', () => {
    expect(match('dup.jpg')).toBeUndefined();
    expect(match('other/dup.jpg')).toBeUndefined();
    expect(match('q/same.jpg')).toBeUndefined(); // the ending of two paths
  });

  it('compares case-sensitively', () => {
    expect(match('Cats/Tom.jpg')).toBe(6);
    expect(match('cats/tom.jpg')).toBeUndefined();
    expect(match('tom.jpg')).toBeUndefined();
  });

  it('keeps one result per entry, captions with their image, unmatched names in entry order', () => {
    const entries: CaptionEntry[] = [
      { image: 'robin.jpg', caption: 'one' },
      { image: 'missing.jpg', caption: 'two' },
      { image: 'birds/robin.jpg', caption: 'three' },
      { image: 'missing.jpg', caption: 'four' },
      { image: 'dup.jpg', caption: 'five' },
    ];
    expect(matchImageNames(entries, targets)).toEqual({
      matched: [
        { imageId: 2, text: 'one' },
        { imageId: 2, text: 'three' },
      ],
      unmatched: ['missing.jpg', 'missing.jpg', 'dup.jpg'],
    });
  });

  it('matches names from a parsed file (Windows paths) to imported images', () => {
    const parsed = parseCaptionFile('image,caption\nbirds\\robin.jpg,a robin\n.\\root.jpg,the root\n', 'csv', 'c.csv');
    expect(matchImageNames(parsed.entries, targets).matched).toEqual([
      { imageId: 2, text: 'a robin' },
      { imageId: 1, text: 'the root' },
    ]);
  });
});

describe('caption text', () => {
  it('keeps no control characters or direction overrides: a NUL is a space, an override is gone', () => {
    const parsed = parseCaptionFile(JSON.stringify({ 'a.jpg': 'a red\u0000square', 'b.jpg': 'photo of \u202Egnp.exe\u202C', 'c.jpg': '\u001b[31mred\u001b[0m' }), 'json', 'c.json');
    expect(parsed.entries.map((e) => e.caption)).toEqual(['a red square', 'photo of gnp.exe', '[31mred [0m']);
  });
});
