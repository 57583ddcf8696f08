//! The lines the native benchmarks read: `example-app`'s archives as the sandbox serves them
//! (Paris offsets, locally shuffled order, some `\r\n`, `[manager]` lines), made in memory.

/// A fixed "now" (2017-04-24 00:00 UTC) so that runs compare.
const NOW: i64 = 1_492_992_000;

/// The decompressed bytes of `example-app`'s archives, oldest first, up to `lines` lines in
/// all.
pub fn archive_bytes(lines: usize) -> Vec<Vec<u8>> {
    let apps = scalingo_sandbox::world::apps();
    let sources = scalingo_sandbox::archives::sources(&apps);
    let source = sources
        .iter()
        .find(|s| s.key == "example-app")
        .expect("the sandbox archives example-app");
    let mut archives = source.archives(NOW);
    archives.reverse();
    let mut out = Vec::new();
    let mut left = lines as u64;
    for a in &archives {
        if left == 0 {
            break;
        }
        let mut bytes = Vec::new();
        source
            .write_lines(a, left, &mut bytes)
            .expect("writing to memory cannot fail");
        left -= a.lines.min(left);
        out.push(bytes);
    }
    out
}

/// [`archive_bytes`] as lines of text, without their line breaks.
#[allow(dead_code)] // Not every benchmark reads text.
pub fn archive_lines(lines: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(lines);
    for bytes in archive_bytes(lines) {
        let text = String::from_utf8(bytes).expect("the sandbox writes UTF-8");
        out.extend(text.lines().map(str::to_owned));
    }
    out
}
