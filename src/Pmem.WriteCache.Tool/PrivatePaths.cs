using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// The default paths of one user and the checks that keep other local users out of them. A directory another user
/// can write to lets that user create the tool's files first — a cache file they can read and write, a link to a file
/// of ours, a socket answering in our name — so: the defaults live in <c>$XDG_RUNTIME_DIR</c> or in a per-user
/// directory created with mode 0700 and verified to be ours and private; a file found there is used only if it is
/// ours, not a link, and not writable by others; new files are created exclusively (<c>O_EXCL</c>, which also refuses
/// to follow a link).
/// </summary>
internal static class PrivatePaths
{
    private const UnixFileMode OthersMayWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    private const UnixFileMode OthersMayAccess = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The per-user directory's name in a shared directory: <c>pmem-writecache-UID</c> (a number needs no passwd entry).</summary>
    public static string PerUserName { get; } = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pmem-writecache-{UserAccount.Id}");

    /// <summary>
    /// Where the tool's sockets go by default: <c>$XDG_RUNTIME_DIR</c>, else <c>pmem-writecache-UID</c> in the temp
    /// directory. Only the path: <see cref="EnsureRuntimeDirectory"/> makes and verifies it.
    /// </summary>
    public static string RuntimeDirectoryPath()
        => XdgRuntimeDirectory() ?? Path.Combine(Path.GetTempPath(), PerUserName);

    /// <summary>The default NBD socket: <c>pmem-nbd.sock</c> in <see cref="RuntimeDirectoryPath"/>.</summary>
    public static string DefaultNbdSocketPath() => Path.Combine(RuntimeDirectoryPath(), "pmem-nbd.sock");

    /// <summary><see cref="RuntimeDirectoryPath"/>, created private if missing and verified to be ours and private.</summary>
    /// <exception cref="ToolException">It is not (exit 2), naming the path, its owner and mode.</exception>
    public static string EnsureRuntimeDirectory()
    {
        if (XdgRuntimeDirectory() is { } runtime)
        {
            VerifyPrivateDirectory(runtime, "$XDG_RUNTIME_DIR");
            return runtime;
        }

        return EnsurePrivateDirectory(RuntimeDirectoryPath());
    }

    /// <summary>Creates <paramref name="path"/> with mode 0700 unless it exists; then verifies it is a directory of ours that nobody else can enter.</summary>
    /// <exception cref="ToolException">It is a link, another user's, or open to others (exit 2).</exception>
    public static string EnsurePrivateDirectory(string path)
    {
        VerifyParent(path);
        if (!FileStatus.TryGet(path, followLinks: false, out _, out _))
        {
            // mkdir is atomic: if another user creates it first, the checks below see theirs and refuse it.
            Directory.CreateDirectory(path, Private);
        }

        VerifyPrivateDirectory(path, "directory");
        return path;
    }

    /// <summary>
    /// Verifies that an existing <paramref name="path"/> may be used as the <paramref name="role"/>: not a link, ours,
    /// and writable by nobody else. A missing path passes (it is then created exclusively).
    /// </summary>
    /// <exception cref="ToolException">It may not (exit 2), naming the path, its owner and mode.</exception>
    public static void VerifyOwnedEntry(string path, string role)
    {
        if (!FileStatus.TryGet(path, followLinks: false, out FileStatus status, out _))
        {
            return;
        }

        if (status.Kind == FileKind.SymbolicLink)
        {
            throw Refused($"'{path}' is a symbolic link (to '{new FileInfo(path).LinkTarget}'); the {role} is not used through a link here, where someone else may have placed it. Remove it or choose another path.");
        }

        if (status.OwnerId != UserAccount.Id)
        {
            throw Refused($"'{path}' belongs to {UserAccount.Describe(status.OwnerId)}, not to you ({UserAccount.Describe(UserAccount.Id)}); refusing to use it as the {role}: its owner could read or change it. Remove it or choose another path.");
        }

        if ((status.Permissions & OthersMayWrite) != 0)
        {
            throw Refused($"'{path}' is writable by other users (mode {Mode(status)}); refusing to use it as the {role}. Make it private (chmod go-w) or choose another path.");
        }
    }

    /// <summary>Whether users other than the owner may create and remove entries in <paramref name="directory"/>.</summary>
    public static bool IsShared(string directory)
        => FileStatus.TryGet(directory, followLinks: true, out FileStatus status, out _) && (status.Permissions & OthersMayWrite) != 0;

    /// <summary>
    /// Refuses a path whose directory others may write without the sticky bit: they could remove or rename what we
    /// create there and put their own in its place. In a sticky directory (<c>/tmp</c>) they cannot touch our entries.
    /// </summary>
    /// <exception cref="ToolException">The directory is missing, not a directory, or open that way (exit 2).</exception>
    public static void VerifyParent(string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        if (!FileStatus.TryGet(directory, followLinks: true, out FileStatus status, out _))
        {
            throw Refused($"the directory '{directory}' of '{path}' does not exist.");
        }

        if (status.Kind != FileKind.Directory)
        {
            throw Refused($"'{directory}', the directory of '{path}', is {FileStatus.Describe(status.Kind)}, not a directory.");
        }

        if ((status.Permissions & OthersMayWrite) != 0 && (status.Permissions & UnixFileMode.StickyBit) == 0)
        {
            throw Refused($"'{directory}' is writable by other users and not sticky (mode {Mode(status)}): they could replace '{Path.GetFileName(path)}' with their own. Choose a private directory.");
        }
    }

    private static void VerifyPrivateDirectory(string path, string role)
    {
        FileStatus status = FileStatus.Get(path, followLinks: false);
        if (status.Kind != FileKind.Directory)
        {
            throw Refused($"the {role} '{path}' is {FileStatus.Describe(status.Kind)}, not a directory; refusing to use it. Remove it, set XDG_RUNTIME_DIR or pass --scratch-dir.");
        }

        if (status.OwnerId != UserAccount.Id || (status.Permissions & OthersMayAccess) != 0)
        {
            throw Refused($"the {role} '{path}' belongs to {UserAccount.Describe(status.OwnerId)} with mode {Mode(status)}; it must be yours ({UserAccount.Describe(UserAccount.Id)}) with mode 0700, or other users could read and replace what is in it. Remove it, set XDG_RUNTIME_DIR or pass --scratch-dir.");
        }
    }

    private static string? XdgRuntimeDirectory()
        => Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? runtime : null;

    private static string Mode(FileStatus status) => "0" + Convert.ToString((int)status.Permissions, 8).PadLeft(3, '0');

    private static ToolException Refused(string message) => new(message, ToolExitCode.BadInput);
}
