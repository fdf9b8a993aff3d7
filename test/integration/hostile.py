#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Crafted peers for test/integration/hostile.sh: a hand-driven TCP client
and frame generators, on a raw AF_PACKET socket bound to the peer's end of
the veth. IPv4 and TCP are laid out here with struct (fast, and free to
be wrong on purpose); scapy builds the ARP frames.

    hostile.py fetch     tiny-MSS (or normal) HTTP fetch, segments counted
    hostile.py tsecr     ACKs with a bogus TSecr, then a lost segment timed
    hostile.py arp       ARP frames from spoofed senders
    hostile.py malformed a burst of malformed frames
    hostile.py synflood  SYNs from spoofed off-subnet sources at a bounded rate

Results go to stdout as "key value" lines (hostile.sh reads them with awk);
the last line is "done 1" when the command ran to its end.
"""
import argparse
import random
import socket
import struct
import sys
import time

from scapy.all import ARP, Ether

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
PACKET_OUTGOING = 4
BCAST = b"\xff" * 6
F_FIN, F_SYN, F_RST, F_PSH, F_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def out(key, val):
    print("%s %s" % (key, val), flush=True)


def mac_b(s):
    return bytes.fromhex(s.replace(":", ""))


def ip_b(s):
    return socket.inet_aton(s)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype):
    return dst + src + struct.pack("!H", etype)


def ipv4(src, dst, payload, proto=6, ident=0, frag=0x4000, opts=b"",
         tot_len=None, ihl=None, version=4, ip_csum_ok=True, ttl=64):
    """An IPv4 header (+ payload). The header checksum is right unless
    ip_csum_ok is False, whatever the other fields say."""
    ihl = 5 + len(opts) // 4 if ihl is None else ihl
    tl = 20 + len(opts) + len(payload) if tot_len is None else tot_len
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 0xF), 0,
                    tl & 0xFFFF, ident & 0xFFFF, frag & 0xFFFF, ttl, proto & 0xFF,
                    0, src, dst) + opts
    c = csum(h)
    if not ip_csum_ok:
        c ^= 0x0F0F
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, win=65535, opts=b"",
        payload=b"", doff=None, csum_ok=True):
    """A TCP segment; the checksum covers the pseudo-header and what is
    given, so it is right even with a nonsense data offset."""
    doff = 5 + len(opts) // 4 if doff is None else doff
    seg = struct.pack("!HHIIBBHHH", sport & 0xFFFF, dport & 0xFFFF,
                      seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (doff & 0xF) << 4,
                      flags & 0xFF, win & 0xFFFF, 0, 0) + opts + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(seg)) + seg)
    if not csum_ok:
        c ^= 0x5A5A
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def opt_mss(mss):
    return struct.pack("!BBH", 2, 4, mss & 0xFFFF)


def opt_ts(val, ecr):
    return b"\x01\x01" + struct.pack("!BBII", 8, 10, val & 0xFFFFFFFF, ecr & 0xFFFFFFFF)


def raw_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((iface, 0))
    return s


def arp_frame(op, smac, sip, tmac, tip, edst):
    """ARP (scapy) in an Ethernet frame: op 1 request, 2 reply."""
    return bytes(Ether(dst=edst, src=smac) /
                 ARP(op=op, hwsrc=smac, psrc=sip,
                     hwdst=tmac if op == 2 else "00:00:00:00:00:00", pdst=tip))


class Seg:
    """What pmtcp sent: the fields a TCP client needs."""
    __slots__ = ("t", "seq", "ack", "flags", "win", "data", "tsval", "tsecr",
                 "mss")

    def __init__(self, t, seq, ack, flags, win, data, tsval, tsecr, mss):
        self.t, self.seq, self.ack, self.flags, self.win = t, seq, ack, flags, win
        self.data, self.tsval, self.tsecr, self.mss = data, tsval, tsecr, mss


def parse_tcp_opts(o):
    tsval = tsecr = mss = None
    i = 0
    while i < len(o):
        k = o[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(o) or o[i + 1] < 2:
            break
        ln = o[i + 1]
        if k == 8 and ln == 10 and i + 10 <= len(o):
            tsval, tsecr = struct.unpack("!II", o[i + 2:i + 10])
        elif k == 2 and ln == 4 and i + 4 <= len(o):
            mss = struct.unpack("!H", o[i + 2:i + 4])[0]
        i += ln
    return tsval, tsecr, mss


class Peer:
    """One hand-driven TCP connection from a made-up host (its own MAC and
    IP, which the kernel of the peer namespace does not own, so the kernel
    neither answers nor resets anything of it)."""

    def __init__(self, a, ip, mac, sport, mss=1460, ts=True):
        self.a = a
        self.sock = raw_socket(a.iface)
        self.mac, self.ip, self.sport = mac_b(mac), ip_b(ip), sport
        self.dmac, self.dip, self.dport = mac_b(a.dmac), ip_b(a.dip), a.dport
        self.mss, self.ts = mss, ts
        self.t0 = time.monotonic()
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss
        self.rcv_nxt = 0
        self.ts_recent = 0
        self.nsegs = 0          # every segment of this connection from pmtcp
        self.pure_acks = 0      # no data, no SYN/FIN/RST
        self.data_segs = 0
        self.max_len = 0
        self.min_len = 1 << 30
        self.rsts = 0
        self.arp_answered = 0

    def tsval(self):
        return (int((time.monotonic() - self.t0) * 1000) + 100000) & 0xFFFFFFFF

    def send_frame(self, f):
        self.sock.send(f)

    def arp_announce(self):
        """A request for pmtcp's address: Linux's arp_process() (and pmtcp)
        creates the sender's neighbour entry from it."""
        self.send_frame(arp_frame(1, self.a.mac_str(self.mac), socket.inet_ntoa(self.ip),
                                  "00:00:00:00:00:00", self.a.dip, BCAST))

    def send(self, flags, payload=b"", seq=None, ack=None, tsecr=None, opts=None):
        if opts is None:
            opts = b""
            if self.ts:
                opts = opt_ts(self.tsval(), self.ts_recent if tsecr is None else tsecr)
        seg = tcp(self.ip, self.dip, self.sport, self.dport,
                  self.snd_nxt if seq is None else seq,
                  self.rcv_nxt if ack is None else ack, flags, opts=opts, payload=payload)
        self.send_frame(eth(self.dmac, self.mac, ETH_P_IP) + ipv4(self.ip, self.dip, seg))

    def recv(self, timeout, whole=False):
        """Segments of this connection from pmtcp: as soon as there are
        some (and what else is already queued), or all of the timeout s
        when whole. ARP requests for our address are answered on the way."""
        end = time.monotonic() + timeout
        got = []
        while True:
            left = end - time.monotonic()
            if got and not whole:
                left = 0                  # only what is already queued
            elif left <= 0:
                return got
            self.sock.settimeout(left if left > 0 else 0)
            try:
                f, addr = self.sock.recvfrom(65535)
            except (socket.timeout, BlockingIOError):
                return got
            if addr[2] == PACKET_OUTGOING or len(f) < 14:
                continue
            et = struct.unpack("!H", f[12:14])[0]
            if et == ETH_P_ARP and len(f) >= 42:
                if f[20:22] == b"\x00\x01" and f[38:42] == self.ip:
                    self.arp_answered += 1
                    self.send_frame(arp_frame(2, self.a.mac_str(self.mac),
                                              socket.inet_ntoa(self.ip),
                                              self.a.mac_str(f[22:28]),
                                              socket.inet_ntoa(f[28:32]), f[6:12]))
                continue
            if et != ETH_P_IP or len(f) < 34:
                continue
            ih = f[14:]
            ihl = (ih[0] & 0xF) * 4
            if ih[9] != 6 or ih[12:16] != self.dip or ih[16:20] != self.ip:
                continue
            tl = struct.unpack("!H", ih[2:4])[0]
            th = ih[ihl:tl]
            if len(th) < 20:
                continue
            sport, dport, seq, ack, doff, flags, win = struct.unpack("!HHIIBBH", th[:16])
            if sport != self.dport or dport != self.sport:
                continue
            doff = (doff >> 4) * 4
            tsval, tsecr, mss = parse_tcp_opts(th[20:doff])
            s = Seg(time.monotonic(), seq, ack, flags, win, bytes(th[doff:]), tsval, tsecr, mss)
            self.count(s)
            got.append(s)
            if self.nsegs > 200000:   # a runaway sender: stop listening
                return got

    def count(self, s):
        self.nsegs += 1
        if s.flags & F_RST:
            self.rsts += 1
        n = len(s.data)
        if n:
            self.data_segs += 1
            self.max_len = max(self.max_len, n)
            self.min_len = min(self.min_len, n)
        elif not s.flags & (F_SYN | F_FIN | F_RST):
            self.pure_acks += 1

    def connect(self):
        """ARP announce, SYN (MSS, timestamps), SYN-ACK, ACK. True when
        established."""
        self.arp_announce()
        time.sleep(0.05)
        opts = opt_mss(self.mss) if self.mss is not None else b""
        for _ in range(3):
            if self.ts:
                opts2 = opts + opt_ts(self.tsval(), 0)
            else:
                opts2 = opts
            self.send(F_SYN, seq=self.iss, ack=0, opts=opts2)
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                for s in self.recv(end - time.monotonic()):
                    if s.flags & (F_SYN | F_ACK) == (F_SYN | F_ACK) and \
                            s.ack == (self.iss + 1) & 0xFFFFFFFF:
                        self.snd_nxt = (self.iss + 1) & 0xFFFFFFFF
                        self.rcv_nxt = (s.seq + 1) & 0xFFFFFFFF
                        self.ts_recent = s.tsval or 0
                        self.synack_mss = s.mss
                        self.send(F_ACK)
                        return True
        return False

    def take(self, s, buf):
        """In-order data (and FIN) of s into buf; ACK it. True when s moved
        RCV.NXT."""
        moved = False
        if s.data and s.seq == self.rcv_nxt:
            buf += s.data
            self.rcv_nxt = (self.rcv_nxt + len(s.data)) & 0xFFFFFFFF
            moved = True
        if s.flags & F_FIN and ((s.seq + len(s.data)) & 0xFFFFFFFF) == self.rcv_nxt:
            self.rcv_nxt = (self.rcv_nxt + 1) & 0xFFFFFFFF
            moved = True
        if s.tsval is not None and moved:
            self.ts_recent = s.tsval
        return moved

    def request(self):
        req = ("GET / HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: pmtcp-hostile\r\n"
               "Accept: */*\r\n\r\n" % (self.a.dip, self.dport)).encode()
        self.send(F_ACK | F_PSH, payload=req)
        self.snd_nxt = (self.snd_nxt + len(req)) & 0xFFFFFFFF

    def response(self, timeout, ack=True):
        """Read one HTTP response (header + Content-Length body), ACKing as
        it comes unless ack is False. Returns (status line, body) or
        (None, partial bytes) on timeout."""
        buf = bytearray()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            moved = False
            for s in self.recv(min(0.2, max(0.01, end - time.monotonic()))):
                moved |= self.take(s, buf)
                if s.flags & F_RST:
                    return None, bytes(buf)
            if moved and ack:
                self.send(F_ACK)
            hdr_end = buf.find(b"\r\n\r\n")
            if hdr_end >= 0:
                head = bytes(buf[:hdr_end]).decode("latin-1")
                clen = 0
                for line in head.split("\r\n")[1:]:
                    k, _, v = line.partition(":")
                    if k.strip().lower() == "content-length":
                        clen = int(v)
                if len(buf) >= hdr_end + 4 + clen:
                    return head.split("\r\n")[0], bytes(buf[hdr_end + 4:])
        return None, bytes(buf)

    def reset(self):
        self.send(F_RST | F_ACK)

    def stats(self):
        out("segments", self.nsegs)
        out("pure_acks", self.pure_acks)
        out("data_segments", self.data_segs)
        out("max_len", self.max_len)
        out("min_len", self.min_len if self.data_segs else 0)
        out("rsts", self.rsts)


def cmd_fetch(a):
    p = Peer(a, a.ip, a.mac, a.sport, mss=a.mss, ts=not a.no_ts)
    est = p.connect()
    out("established", int(est))
    if not est:
        p.stats()
        out("done", 1)
        return
    out("synack_mss", p.synack_mss)
    p.request()
    status, body = p.response(a.timeout)
    out("status", "none" if status is None else status.split(" ")[1])
    out("body_bytes", len(body))
    out("body_ok", int(status is not None and body == b"x" * a.body))
    # whatever pmtcp still sends after a complete response (nothing, when
    # it behaves): a runaway sender shows here
    before = p.nsegs
    p.recv(a.watch, whole=True)
    out("after_segments", p.nsegs - before)
    p.stats()
    p.reset()
    out("done", 1)


def cmd_tsecr(a):
    """Two request/response rounds whose last ACK echoes a bogus TSecr
    (past: 5,000,000 ms before pmtcp's TSval; future: 100 s after), then a
    third response left unacknowledged: how long until pmtcp retransmits
    it?"""
    p = Peer(a, a.ip, a.mac, a.sport)
    est = p.connect()
    out("established", int(est))
    if not est:
        out("done", 1)
        return
    for _ in range(2):
        p.request()
        status, body = p.response(5.0, ack=False)
        if status is None:
            out("round_failed", 1)
            out("done", 1)
            return
        if a.mode == "past":
            ecr = (p.ts_recent - 5000000) & 0xFFFFFFFF
        else:
            ecr = (p.ts_recent + 100000) & 0xFFFFFFFF
        p.send(F_ACK, tsecr=ecr or 1)   # acknowledges the whole response
    p.request()
    first = None
    rto = None
    end = time.monotonic() + a.wait
    while time.monotonic() < end and rto is None:
        for s in p.recv(0.2):
            if not s.data:
                continue
            if first is None and s.seq == p.rcv_nxt:
                first = s
            elif first is not None and s.seq == first.seq:
                rto = s.t - first.t
                break
    out("first_seen", int(first is not None))
    out("retransmit_ms", -1 if rto is None else int(rto * 1000))
    if first is not None:
        buf = bytearray()
        p.take(first, buf)
        p.send(F_ACK)
    p.reset()
    out("done", 1)


def cmd_arp(a):
    """a.count ARP frames from distinct spoofed senders, alternately a
    request for pmtcp's address (broadcast) and an unsolicited reply to
    it (unicast); a.offnet_frac of the senders are on another subnet
    (198.19.x.y), the rest on pmtcp's own (a.subnet.20 and up)."""
    s = raw_socket(a.iface)
    rnd = random.Random(a.seed)
    n_off = int(a.count * a.offnet_frac)
    on = ["%s.%d" % (a.subnet, i) for i in range(20, 255)]
    on = [x for x in on if x != a.dip]
    rnd.shuffle(on)
    senders = on[:a.count - n_off]
    while len(senders) < a.count:
        x = "198.19.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255))
        if x not in senders:
            senders.append(x)
    rnd.shuffle(senders)
    nreq = nrep = noff = 0
    for i, sip in enumerate(senders):
        smac = "02:%02x:%02x:%02x:%02x:%02x" % tuple(rnd.randrange(256) for _ in range(5))
        if i % 2 == 0:
            f = arp_frame(1, smac, sip, "00:00:00:00:00:00", a.dip, BCAST)
            nreq += 1
        else:
            f = arp_frame(2, smac, sip, a.dmac, a.dip, mac_b(a.dmac))
            nrep += 1
        noff += sip.startswith("198.19.")
        s.send(f)
        time.sleep(1.0 / a.pps)
    out("requests", nreq)
    out("replies", nrep)
    out("offsubnet", noff)
    out("senders", len(set(senders)))
    out("done", 1)


MARTIANS_SRC = ["0.0.0.0", "0.1.2.3", "127.0.0.1", "127.9.9.9", "224.0.0.1",
                "239.1.2.3", "240.0.0.1", "250.1.1.1", "255.255.255.255"]
MARTIANS_DST = ["0.0.0.0", "127.0.0.1", "224.0.0.1", "239.255.255.250",
                "240.0.0.1", "255.255.255.255"]


def rand_bytes(rnd, n):
    return bytes(rnd.getrandbits(8) for _ in range(n))


def rand_tcp_opts(rnd):
    """Option bytes as a fuzzer would write them: known kinds with wrong
    lengths, zero and one byte lengths, lengths past the end, EOL, NOPs and
    random garbage; padded to 4 bytes, at most 40."""
    o = bytearray()
    while len(o) < rnd.randrange(1, 41):
        k = rnd.choice([0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 253, 254, rnd.randrange(256)])
        if k in (0, 1):
            o.append(k)
            continue
        ln = rnd.choice([0, 1, 2, 3, 4, 6, 8, 10, 12, 40, 255, rnd.randrange(256)])
        o += bytes([k, ln]) + rand_bytes(rnd, rnd.randrange(0, 11))
    o = o[:40]
    while len(o) % 4:
        o.append(rnd.choice([0, 1]))
    return bytes(o)


def cmd_malformed(a):
    """a.count malformed frames at a.pps, from one made-up host (whose ARP
    request seeds pmtcp's neighbour table) and from martians and other
    subnets. Every 5th frame targets the 4-tuple of a connection this
    command holds established, so the established state machine sees
    them too."""
    rnd = random.Random(a.seed)
    p = Peer(a, a.ip, a.mac, a.sport)
    est = p.connect()
    out("established", int(est))
    me, dip, dmac, smac = p.ip, p.dip, p.dmac, p.mac
    cats = ["flags", "doff", "trunc", "iplen", "ipopts", "frag", "tcpopts",
            "badcsum", "martian", "inconn", "other"]
    n = {c: 0 for c in cats}
    frames = []
    # frames the receiving kernel may keep from pmtcp's af_packet socket:
    # fragments (DPDK's net_af_packet joins a PACKET_FANOUT group with
    # PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles before pmtcp
    # sees anything, and holds incomplete ones) and 802.1Q frames (the
    # kernel strips the tag first, and drops the frame when it is short)
    undeliverable = 0
    for i in range(a.count):
        c = "inconn" if est and i % 5 == 4 else rnd.choice(cats[:-2] + ["other"])
        if a.only:
            c = rnd.choice(a.only.split(","))
        n[c] += 1
        sport = rnd.randrange(1024, 65536)
        dport = rnd.choice([a.dport, a.dport, a.dport + 1, rnd.randrange(1, 65536)])
        seq, ack = rnd.getrandbits(32), rnd.getrandbits(32)
        pay = rand_bytes(rnd, rnd.choice([0, 0, 1, 10, 100, 600]))
        src = me
        if c == "flags":
            ip = ipv4(src, dip, tcp(src, dip, sport, dport, seq, ack, rnd.randrange(256),
                                    win=rnd.randrange(65536), payload=pay))
        elif c == "doff":
            o = rand_bytes(rnd, rnd.choice([0, 4, 8, 20, 40]))
            ip = ipv4(src, dip, tcp(src, dip, sport, dport, seq, ack, rnd.randrange(256),
                                    opts=o, payload=pay, doff=rnd.randrange(16)))
        elif c == "trunc":
            full = ipv4(src, dip, tcp(src, dip, sport, dport, seq, ack, F_SYN,
                                      opts=opt_mss(1460) + opt_ts(1, 0)))
            cut = rnd.randrange(0, len(full))
            if rnd.random() < 0.5:
                ip = full[:cut]               # IP total length still says more
            else:                             # a consistent IP header, TCP cut short
                cut = max(cut, 20)
                ip = ipv4(src, dip, full[20:cut])
        elif c == "iplen":
            seg = tcp(src, dip, sport, dport, seq, ack, rnd.choice([F_SYN, F_ACK, F_RST, F_FIN | F_ACK]),
                      payload=pay)
            tl = rnd.choice([0, 1, 19, 20, 21, 39, 40 + len(seg) - 1, 20 + len(seg) + 1,
                             1500, 65535, rnd.randrange(65536)])
            if tl == 20 + len(seg):
                tl += 1
            ip = ipv4(src, dip, seg, tot_len=tl)
        elif c == "ipopts":
            o = rand_bytes(rnd, 4 * rnd.randrange(1, 11))
            if rnd.random() < 0.5:   # well-formed-looking: NOPs and an EOL
                o = b"\x01" * (len(o) - 1) + b"\x00"
            ihl = 5 + len(o) // 4 if rnd.random() < 0.7 else rnd.randrange(16)
            ip = ipv4(src, dip, tcp(src, dip, sport, dport, seq, ack, F_SYN, payload=pay),
                      opts=o, ihl=ihl)
        elif c == "frag":
            frag = rnd.choice([0x2000, 0x2000 | rnd.randrange(1, 0x2000), rnd.randrange(1, 0x2000),
                               0x6000 | rnd.randrange(0x2000), 0x8000])
            body = tcp(src, dip, sport, dport, seq, ack, F_SYN, payload=pay)
            if frag & 0x1FFF:
                body = rand_bytes(rnd, rnd.choice([8, 16, 64, 256]))
            ip = ipv4(src, dip, body, frag=frag, ident=rnd.randrange(65536))
            undeliverable += bool(frag & 0x3FFF)
        elif c == "tcpopts":
            ip = ipv4(src, dip, tcp(src, dip, sport, dport, seq, ack,
                                    rnd.choice([F_SYN, F_SYN, F_ACK, F_SYN | F_ACK, F_RST, F_PSH | F_ACK]),
                                    opts=rand_tcp_opts(rnd), payload=pay))
        elif c == "badcsum":
            if rnd.random() < 0.6:
                ip = ipv4(src, dip, tcp(src, dip, sport, a.dport, seq, ack, F_SYN,
                                        opts=opt_mss(1460), payload=pay, csum_ok=False))
            else:
                ip = ipv4(src, dip, tcp(src, dip, sport, a.dport, seq, ack, F_SYN,
                                        opts=opt_mss(1460)), ip_csum_ok=False)
        elif c == "martian":
            if rnd.random() < 0.6:
                s_ = ip_b(rnd.choice(MARTIANS_SRC + [a.dip, a.subnet + ".255", a.subnet + ".0"]))
                d_ = dip
            else:
                s_ = me
                d_ = ip_b(rnd.choice(MARTIANS_DST + [a.subnet + ".255", a.subnet + ".0"]))
            ip = ipv4(s_, d_, tcp(s_, d_, sport, a.dport, seq, ack,
                                  rnd.choice([F_SYN, F_ACK, F_SYN | F_ACK, F_RST]),
                                  opts=opt_mss(1460)))
        elif c == "inconn":
            fl = rnd.choice([F_ACK, F_ACK | F_PSH, F_SYN, F_RST, F_RST | F_ACK, F_FIN | F_ACK,
                             F_SYN | F_ACK, rnd.randrange(256)])
            sq = (p.snd_nxt + rnd.choice([0, 0, 1, -1, 1000, -1000, 70000, rnd.getrandbits(32)])) & 0xFFFFFFFF
            ak = (p.rcv_nxt + rnd.choice([0, 0, 1, -1, 100, rnd.getrandbits(32)])) & 0xFFFFFFFF
            o = rnd.choice([opt_ts(rnd.getrandbits(32), rnd.getrandbits(32)),
                            opt_ts(p.tsval(), p.ts_recent), rand_tcp_opts(rnd), b""])
            ip = ipv4(src, dip, tcp(src, dip, a.sport, a.dport, sq, ak, fl,
                                    win=rnd.randrange(65536), opts=o, payload=pay[:100]))
        else:   # other: IP version, protocol, EtherType, ARP
            k = rnd.randrange(4)
            if k == 0:
                ip = ipv4(src, dip, tcp(src, dip, sport, dport, seq, ack, F_SYN),
                          version=rnd.choice([0, 5, 6, 15]))
            elif k == 1:
                ip = ipv4(src, dip, pay or b"\0" * 8, proto=rnd.choice([0, 1, 17, 47, 132, 255]))
            elif k == 2:
                et = rnd.choice([0x86DD, 0x8100, 0x88CC, 0x0000, 0xFFFF])
                undeliverable += et == 0x8100
                frames.append(eth(dmac, smac, et) + pay)
                continue
            else:
                arp = bytes(ARP(op=rnd.choice([1, 2, 3, 0xFFFF]), hwsrc=a.mac, psrc=a.ip,
                                pdst=a.dip))
                arp = arp[:rnd.randrange(0, len(arp) + 1)]
                if rnd.random() < 0.5:   # hardware / protocol type and sizes wrong
                    arp = struct.pack("!HHBB", rnd.randrange(65536), rnd.randrange(65536),
                                      rnd.randrange(256), rnd.randrange(256)) + arp[6:]
                frames.append(eth(rnd.choice([dmac, BCAST]), smac, ETH_P_ARP) + arp)
                continue
        frames.append(eth(dmac, smac, ETH_P_IP) + ip)
    s = p.sock
    t0 = time.monotonic()
    sent = errs = 0
    for i, f in enumerate(frames):
        try:
            s.send(f)
            sent += 1
        except OSError:
            errs += 1
        if i % 50 == 49:
            ahead = (i + 1) / a.pps - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    # keep reading (and answering ARP) for a moment, then end our connection
    p.recv(0.5, whole=True)
    if est:
        p.reset()
    out("sent", sent)
    out("send_errors", errs)
    out("undeliverable", undeliverable)
    out("seconds", "%.2f" % (time.monotonic() - t0))
    for c in cats:
        out("cat_" + c, n[c])
    out("done", 1)


def cmd_synflood(a):
    """SYNs from random sources in 198.19.0.0/16 (another subnet: pmtcp's
    SYN-ACKs go to its gateway, which drops them), random ports, Linux's
    SYN options, at a.pps for a.secs s. Prints "flooding 1" once the
    first 100 are out."""
    rnd = random.Random(a.seed)
    s = raw_socket(a.iface)
    dip, dmac, smac = ip_b(a.dip), mac_b(a.dmac), mac_b(a.mac)
    total = int(a.secs * a.pps)
    frames = []
    for _ in range(min(total, 20000)):
        src = ip_b("198.19.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255)))
        o = opt_mss(1460) + b"\x04\x02" + opt_ts(rnd.getrandbits(32), 0)[2:] + b"\x01\x03\x03\x07"
        frames.append(eth(dmac, smac, ETH_P_IP) +
                      ipv4(src, dip, tcp(src, dip, rnd.randrange(1024, 65536), a.dport,
                                         rnd.getrandbits(32), 0, F_SYN, win=64240, opts=o)))
    t0 = time.monotonic()
    n = 0
    while n < total:
        want = min(total, int((time.monotonic() - t0) * a.pps) + 1)
        while n < want:
            s.send(frames[n % len(frames)])
            n += 1
            if n == 100:
                out("flooding", 1)
        time.sleep(0.002)
    out("sent", n)
    out("seconds", "%.2f" % (time.monotonic() - t0))
    out("done", 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["fetch", "tsecr", "arp", "malformed", "synflood"])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dmac", required=True, help="pmtcp's MAC")
    ap.add_argument("--dip", required=True, help="pmtcp's address")
    ap.add_argument("--dport", type=int, default=8080)
    ap.add_argument("--subnet", default="198.18.10", help="first three octets of the /24")
    ap.add_argument("--ip", default="198.18.10.5", help="the made-up host's address")
    ap.add_argument("--mac", default="02:00:5e:12:0a:05", help="the made-up host's MAC")
    ap.add_argument("--sport", type=int, default=40000)
    ap.add_argument("--mss", type=int, default=1460)
    ap.add_argument("--no-ts", action="store_true")
    ap.add_argument("--body", type=int, default=64, help="expected body bytes")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--watch", type=float, default=1.0)
    ap.add_argument("--mode", choices=["past", "future"], default="past")
    ap.add_argument("--wait", type=float, default=10.0)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--offnet-frac", type=float, default=0.2)
    ap.add_argument("--pps", type=float, default=1000)
    ap.add_argument("--secs", type=float, default=4)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--only", default=None, help="malformed: only these categories (comma list)")
    a = ap.parse_args()
    a.mac_str = lambda b: ":".join("%02x" % x for x in b)
    if a.seed is None:
        a.seed = random.randrange(1 << 31)
    out("seed", a.seed)
    random.seed(a.seed)
    {"fetch": cmd_fetch, "tsecr": cmd_tsecr, "arp": cmd_arp,
     "malformed": cmd_malformed, "synflood": cmd_synflood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
