"""The fault suite (`make faults`): issue 12's failures replayed against servers of its
own, with a table of figures against targets. See faults/README.md."""
