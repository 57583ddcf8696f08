fn main() { dashboard::mount(); }
