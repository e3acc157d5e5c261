k
RO
access
dst
OW
update
