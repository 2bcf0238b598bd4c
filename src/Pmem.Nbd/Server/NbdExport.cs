using System.Numerics;
using System.Text;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>One block device offered by an <see cref="NbdServer"/> under a name.</summary>
public sealed class NbdExport
{
    /// <summary>The longest name or description NBD allows, in UTF-8 bytes (the spec's limit for every string).</summary>
    public const int MaxStringBytes = 4096;

    /// <summary>Creates an export.</summary>
    /// <param name="name">The name clients ask for; empty for the default export.</param>
    /// <param name="device">The device served; the server does not dispose it.</param>
    /// <param name="readOnly">Refuse writes even if the device accepts them.</param>
    /// <param name="description">Shown by <c>nbdinfo</c> and <c>nbdinfo --list</c>.</param>
    /// <exception cref="NbdConfigurationException">The name or description is too long, or the device's block size or length cannot be served.</exception>
    public NbdExport(string name, IBlockDevice device, bool readOnly = false, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(device);
        CheckLength("name", name, nameof(name));
        CheckLength("description", description ?? string.Empty, nameof(description));

        int block = device.LogicalBlockSize;
        if (block <= 0 || block > 65536 || !BitOperations.IsPow2(block))
        {
            throw new NbdConfigurationException($"Device logical block size {block} cannot be advertised over NBD (a power of two up to 65536 is required).", nameof(device));
        }

        if (device.Length % block != 0)
        {
            throw new NbdConfigurationException($"Device length {device.Length} is not a multiple of its logical block size {block}.", nameof(device));
        }

        Name = name;
        Device = device;
        Description = description ?? string.Empty;
        ReadOnly = readOnly || (device.Capabilities & BlockDeviceCapabilities.ReadOnly) != 0;
    }

    /// <summary>The name clients ask for (empty: the default export).</summary>
    public string Name { get; }

    /// <summary>The device served.</summary>
    public IBlockDevice Device { get; }

    /// <summary>A human-readable description (may be empty).</summary>
    public string Description { get; }

    /// <summary>Writes are refused with <c>EPERM</c>.</summary>
    public bool ReadOnly { get; }

    /// <summary>The smallest request size and alignment clients must use: the device's logical block size.</summary>
    public int MinimumBlockSize => Device.LogicalBlockSize;

    /// <summary>The size that avoids any read-modify-write below the server: at least 4096.</summary>
    public int PreferredBlockSize => Math.Max(4096, Device.LogicalBlockSize);

    /// <summary>The flags this export is advertised with, derived from the device's capabilities.</summary>
    public NbdTransmissionFlags TransmissionFlags
    {
        get
        {
            BlockDeviceCapabilities capabilities = Device.Capabilities;
            // Flush is always safe to advertise: on a device without a volatile cache it is a no-op, and FUA is
            // part of every device's write contract (the device flushes itself when it cannot do it natively).
            NbdTransmissionFlags flags = NbdTransmissionFlags.HasFlags | NbdTransmissionFlags.SendFlush;
            if (ReadOnly)
            {
                flags |= NbdTransmissionFlags.ReadOnly;
            }
            else
            {
                flags |= NbdTransmissionFlags.SendFua | NbdTransmissionFlags.SendWriteZeroes;
                if ((capabilities & BlockDeviceCapabilities.Discard) != 0)
                {
                    flags |= NbdTransmissionFlags.SendTrim;
                }
            }

            if ((capabilities & BlockDeviceCapabilities.MultiConnectionConsistent) != 0)
            {
                flags |= NbdTransmissionFlags.CanMultiConn;
            }

            return flags;
        }
    }

    /// <summary>The text of a name or description refused for its length (also used by the negotiation).</summary>
    internal static string TooLong(string what, int bytes) => $"The export {what} is {bytes} bytes long; NBD allows at most {MaxStringBytes} bytes (the protocol's limit for strings).";

    private static void CheckLength(string what, string value, string paramName)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > MaxStringBytes)
        {
            throw new NbdConfigurationException(TooLong(what, bytes), paramName);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name.Length == 0 ? "(default export)" : $"'{Name}'";
}
