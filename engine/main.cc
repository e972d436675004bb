// xcert: declarative certificates for Exchange-style servers.
// All behaviour lives in the libraries; see engine/cli/cli.h.
#include "engine/cli/cli.h"

int main(int argc, char** argv) { return xcert::cli::RunCli(argc, argv); }
