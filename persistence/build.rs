fn main() {
    // Migrations are embedded into the binary; rebuild when they change.
    println!("cargo:rerun-if-changed=../migrations");
}
