namespace Pmem.WriteCache.Tool;

/// <summary>Creates the origin and cache files <c>serve --create-origin/--create-cache</c> and the no-argument <c>serve</c> ask for.</summary>
internal static class DeviceFiles
{
    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="length"/> bytes unless it exists. The origin is sparse; a
    /// cache is allocated up front, because a store into a hole of a full file system kills a mapping process with SIGBUS.
    /// The file is created exclusively (<c>O_EXCL</c>: a link or a file someone placed there meanwhile is not followed
    /// or reused); one that exists in a directory other users may write is used only if it is ours and private.
    /// </summary>
    /// <returns>True if the file was created, false if it existed and is used as it is.</returns>
    /// <exception cref="ToolException">The path exists and is smaller than asked, not ours, or cannot be created.</exception>
    public static bool CreateIfMissing(string path, long length, bool allocate, string role)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        if (PrivatePaths.IsShared(directory))
        {
            PrivatePaths.VerifyOwnedEntry(path, role);
        }

        if (File.Exists(path))
        {
            // A block device reports length 0 here; the engine checks its real size.
            long existing = new FileInfo(path).Length;
            if (existing != 0 && existing < length)
            {
                throw new ToolException($"'{path}' exists with {existing} bytes, smaller than the {length} asked for; it was left as it is.", ToolExitCode.BadInput);
            }

            return false;
        }

        Directory.CreateDirectory(directory);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            PreallocationSize = allocate ? length : 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var file = new FileStream(path, options))
        {
            file.SetLength(length);
        }

        return true;
    }
}
