// A Rust target for the demangler: module::function spins (forever
// without an argument), its names mangled the legacy or the v0 way as
// the test compiles it.
//
// SPDX-License-Identifier: GPL-2.0-or-later
mod module {
    #[inline(never)]
    pub fn function(n: u64) -> u64 {
        let mut x = 0u64;
        let mut i = 0u64;
        while i < n || n == 0 {
            x = x.wrapping_add(i.wrapping_mul(i) ^ (x >> 3));
            i = i.wrapping_add(1);
        }
        x
    }
}
fn main() {
    let n: u64 = std::env::args().nth(1).map_or(0, |a| a.parse().unwrap_or(0));
    println!("ready");
    println!("{}", module::function(n));
}
