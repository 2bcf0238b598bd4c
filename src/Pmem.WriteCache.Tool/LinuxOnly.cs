// The tool maps pmem, serves Unix sockets with Unix file modes and handles POSIX signals: it runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
