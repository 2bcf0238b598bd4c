// The tool runs on Linux only, and so do its tests (Unix sockets, file modes, signals, setpriv).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
