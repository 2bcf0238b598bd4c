// Every test boots the VM (TCG, CPU-bound): run them one after another, never two VMs at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
