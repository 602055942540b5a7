#!/usr/bin/perl
# smsc.pl — a small SMSC for wismo's SMPP tests and benchmarks, built on Net::SMPP (Debian's
# libnet-smpp-perl), an implementation of SMPP 3.4 independent of wismo's own client.
#
# It listens on 127.0.0.1, accepts bind_transceiver with the given system id and password,
# acknowledges submit_sm with message ids, sends deliver_sm delivery receipts when asked
# (registered_delivery), answers enquire_link and unbind, and sends mobile-originated
# messages on command. Every event is one JSON line on stdout; commands come one per line on
# stdin:
#
#   mo FROM TO TEXT     send a mobile-originated deliver_sm (UCS-2 when TEXT is not ASCII)
#   mo_split HOW N FROM TO TEXT
#                       send TEXT as N parts of a concatenated MO, each its own deliver_sm, the
#                       last part first; HOW is udh (IEI 0x00 header), udh16 (IEI 0x08) or sar
#                       (sar_* TLVs); HOW payload sends the whole TEXT in one message_payload
#   drop                close every connection now
#   drop_after N        close the connection on the Nth submit_sm from now, unanswered
#   fail PREFIX         receipts for destinations starting with PREFIX say UNDELIV
#   delay_ms N          wait N ms before each submit_sm_resp
#   stats               print {"ev":"stats",...}
#   quit                exit
#
# Usage: perl tools/smsc.pl [--port 0] [--system-id wismo] [--password secret] [--quiet]
# With --quiet, submits are counted but not printed one by one (benchmarks).
use strict;
use warnings;
use Encode qw(decode encode);
use Getopt::Long;
use IO::Select;
use JSON::PP;
use Net::SMPP;
use POSIX qw(strftime);
use Time::HiRes qw(sleep);

my ($port, $system_id, $password, $quiet) = (0, 'wismo', 'secret', 0);
GetOptions('port=i' => \$port, 'system-id=s' => \$system_id, 'password=s' => \$password, 'quiet' => \$quiet)
  or die "usage: smsc.pl [--port N] [--system-id S] [--password P] [--quiet]\n";

$| = 1;
my $json = JSON::PP->new->utf8->canonical;
sub emit { print $json->encode($_[0]), "\n" }

# GSM 03.38 default alphabet, for decoding data_coding 0 (unpacked septets).
my @gsm = split //, decode('UTF-8', "\@£\$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
  . "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà");
my %gsm_ext = (0x0A => "\f", 0x14 => '^', 0x28 => '{', 0x29 => '}', 0x2F => '\\', 0x3C => '[', 0x3D => '~',
  0x3E => ']', 0x40 => '|', 0x65 => "\x{20AC}");

sub decode_gsm {
  my @b = unpack 'C*', $_[0];
  my $s = '';
  for (my $i = 0; $i < @b; $i++) {
    if ($b[$i] == 0x1B && $i + 1 < @b) { $i++; $s .= $gsm_ext{$b[$i]} // ' '; next }
    $s .= $gsm[$b[$i] & 0x7F];
  }
  return $s;
}

my $listener = Net::SMPP->new_listen('127.0.0.1', port => $port, smpp_version => 0x34)
  or die "smsc.pl: cannot listen on 127.0.0.1:$port: $!\n";
emit({ev => 'listening', port => $listener->sockport});

my $sel = IO::Select->new($listener, \*STDIN);
my %bound;                   # fileno -> 1 once bound
my ($next_id, $submits, $binds, $drop_after, $delay_ms) = (1, 0, 0, 0, 0);
my @fail;
my $stdin_buf = '';

# A client that dies (kill -9 in the crash test) must not take the SMSC down with SIGPIPE.
$SIG{PIPE} = 'IGNORE';

# Net::SMPP warns on every closed connection; closing is part of these tests.
$SIG{__WARN__} = sub { print STDERR @_ unless $_[0] =~ /premature eof|error reading header/ };

sub close_conn {
  my ($c, $why) = @_;
  $sel->remove($c);
  delete $bound{fileno($c) // -1};
  $c->close;
  emit({ev => 'closed', why => $why});
}

sub receipt {
  my ($c, $id, $src, $dst) = @_;
  my $failed = grep { index($dst, $_) == 0 } @fail;
  my $now = strftime('%y%m%d%H%M', gmtime);
  my ($stat, $dl, $err, $state) = $failed ? ('UNDELIV', '000', '001', 5) : ('DELIVRD', '001', '000', 2);
  $c->deliver_sm(source_addr => $dst, destination_addr => $src, esm_class => 0x04, data_coding => 0,
    short_message => "id:$id sub:001 dlvrd:$dl submit date:$now done date:$now stat:$stat err:$err text:",
    receipted_message_id => "$id\0", message_state => pack('C', $state), async => 1);
}

sub submit {
  my ($c, $pdu) = @_;
  $submits++;
  if ($drop_after > 0 && --$drop_after == 0) {
    close_conn($c, "drop_after: submit seq $pdu->{seq} left unanswered");
    return;
  }
  my $sm = $pdu->{short_message} // '';
  my %ev = (ev => 'submit', src => $pdu->{source_addr}, dst => $pdu->{destination_addr},
    dc => $pdu->{data_coding}, esm => $pdu->{esm_class}, reg => $pdu->{registered_delivery});
  if ($pdu->{esm_class} & 0x40) {    # UDHI: a user data header leads the message
    my $udhl = unpack 'C', $sm;
    my ($iei, $len, $ref, $total, $seq) = unpack 'CCCCC', substr($sm, 1, 5);
    $ev{udh} = {ref => $ref, total => $total, seq => $seq} if $iei == 0x00;
    $sm = substr($sm, 1 + $udhl);
  }
  $ev{text} = $pdu->{data_coding} == 8 ? decode('UTF-16BE', $sm) : decode_gsm($sm);
  my $id = sprintf('M%08d', $next_id++);
  $ev{id} = $id;
  sleep($delay_ms / 1000) if $delay_ms;
  emit(\%ev) unless $quiet;
  $c->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
  receipt($c, $id, $pdu->{source_addr}, $pdu->{destination_addr}) if ($pdu->{registered_delivery} // 0) & 1;
}

sub command {
  my ($line) = @_;
  my ($cmd, @args) = split ' ', $line;
  return unless defined $cmd;
  my @conns = grep { $_ != $listener && $_ != \*STDIN && $bound{fileno($_)} } $sel->handles;
  if ($cmd eq 'mo') {
    my ($from, $to, @words) = @args;
    my $text = decode('UTF-8', join(' ', @words));
    my $ascii = $text !~ /[^\x20-\x7E]/;
    for my $c (@conns) {
      $c->deliver_sm(source_addr_ton => 1, source_addr_npi => 1, source_addr => $from, destination_addr => $to,
        esm_class => 0, data_coding => $ascii ? 0 : 8, short_message => $ascii ? $text : encode('UTF-16BE', $text), async => 1);
    }
    emit({ev => 'mo_sent', from => $from, to => $to, text => $text, conns => scalar @conns});
  } elsif ($cmd eq 'mo_split') {
    my ($how, $n, $from, $to, @words) = @args;
    my $text = decode('UTF-8', join(' ', @words));
    my $ascii = $text !~ /[^\x20-\x7E]/;
    my $enc = sub { $ascii ? $_[0] : encode('UTF-16BE', $_[0]) };
    my %common = (source_addr_ton => 1, source_addr_npi => 1, source_addr => $from, destination_addr => $to,
      data_coding => $ascii ? 0 : 8, async => 1);
    my $ref = int(rand(200)) + 1;
    my @parts;
    if ($how eq 'payload') {
      @parts = ({%common, esm_class => 0, short_message => '', message_payload => $enc->($text)});
    } else {
      my $size = int((length($text) + $n - 1) / $n);
      for my $i (1 .. $n) {
        my $piece = $enc->(substr($text, ($i - 1) * $size, $size));
        if ($how eq 'sar') {
          push @parts, {%common, esm_class => 0, short_message => $piece, sar_msg_ref_num => pack('n', $ref),
            sar_total_segments => pack('C', $n), sar_segment_seqnum => pack('C', $i)};
        } else {
          my $udh = $how eq 'udh16' ? pack('CCCnCC', 6, 0x08, 4, $ref, $n, $i) : pack('CCCCCC', 5, 0x00, 3, $ref, $n, $i);
          push @parts, {%common, esm_class => 0x40, short_message => $udh . $piece};
        }
      }
    }
    for my $c (@conns) {
      $c->deliver_sm(%$_) for reverse @parts;
    }
    emit({ev => 'mo_sent', from => $from, to => $to, text => $text, conns => scalar @conns});
  } elsif ($cmd eq 'drop') {
    close_conn($_, 'drop command') for @conns;
  } elsif ($cmd eq 'drop_after') {
    $drop_after = $args[0];
  } elsif ($cmd eq 'fail') {
    push @fail, $args[0];
  } elsif ($cmd eq 'delay_ms') {
    $delay_ms = $args[0];
  } elsif ($cmd eq 'stats') {
    emit({ev => 'stats', submits => $submits, binds => $binds, conns => scalar @conns});
  } elsif ($cmd eq 'quit') {
    exit 0;
  }
  emit({ev => 'ok', cmd => $cmd});
}

while (1) {
  for my $fh ($sel->can_read(1.0)) {
    if ($fh == $listener) {
      my $c = $listener->accept or next;
      $sel->add($c);
      next;
    }
    if ($fh == \*STDIN) {
      # sysread, not <STDIN>: buffered reads would hide queued lines from select.
      my $n = sysread(STDIN, $stdin_buf, 4096, length $stdin_buf);
      exit 0 unless $n;
      while ($stdin_buf =~ s/^([^\n]*)\n//) { command($1) }
      next;
    }
    my $pdu = $fh->read_pdu();
    if (!$pdu) { close_conn($fh, 'peer closed'); next }
    my $cmd = $pdu->{cmd};
    if ($cmd == 0x00000009) {    # bind_transceiver
      if (($pdu->{system_id} // '') eq $system_id && ($pdu->{password} // '') eq $password) {
        $fh->bind_transceiver_resp(seq => $pdu->{seq}, system_id => 'wismo-smsc');
        $bound{fileno($fh)} = 1;
        $binds++;
        emit({ev => 'bind', system_id => $pdu->{system_id}});
      } else {
        $fh->bind_transceiver_resp(seq => $pdu->{seq}, status => 0x0E, system_id => 'wismo-smsc');
        emit({ev => 'bind_refused', system_id => $pdu->{system_id}});
      }
    } elsif ($cmd == 0x00000004) {    # submit_sm
      if (!$bound{fileno($fh)}) { $fh->submit_sm_resp(seq => $pdu->{seq}, status => 0x04, message_id => ''); next }
      submit($fh, $pdu);
    } elsif ($cmd == 0x00000015) {    # enquire_link
      $fh->enquire_link_resp(seq => $pdu->{seq});
      emit({ev => 'enquire_link'}) unless $quiet;
    } elsif ($cmd == 0x00000006) {    # unbind
      $fh->unbind_resp(seq => $pdu->{seq});
      close_conn($fh, 'unbind');
    } elsif ($cmd == 0x80000005) {    # deliver_sm_resp
      emit({ev => 'deliver_resp', status => $pdu->{status}}) unless $quiet;
    } elsif ($cmd & 0x80000000) {     # other responses (enquire_link_resp...)
      next;
    } else {
      $fh->generic_nack(seq => $pdu->{seq}, status => 0x03);
    }
  }
}
