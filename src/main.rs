fn main() -> std::process::ExitCode {
    noteplate::cli::main()
}
