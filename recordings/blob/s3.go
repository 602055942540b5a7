package blob

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 stores objects in a bucket of an S3-compatible store (minio-go as the client).
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
	base   string // scheme://host/bucket, for URL
}

// URL is the store's scheme, host and bucket (no prefix, no credentials).
func (s *S3) URL() string { return s.base }

// NewS3 connects to the store at rawURL (http(s)://host:port/bucket[/prefix]) with an
// access key and secret. The bucket must exist (CreateBucket makes one, for tests).
func NewS3(rawURL, accessKey, secret, region string) (*S3, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("object store URL %q: want http(s)://host:port/bucket", rawURL)
	}
	bucket, prefix := splitBucket(u.Path)
	if bucket == "" {
		return nil, fmt.Errorf("object store URL %q: no bucket in the path", rawURL)
	}
	c, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(accessKey, secret, ""),
		Secure: u.Scheme == "https", Region: region})
	if err != nil {
		return nil, err
	}
	return &S3{client: c, bucket: bucket, prefix: prefix, base: u.Scheme + "://" + u.Host + "/" + bucket}, nil
}

func splitBucket(p string) (bucket, prefix string) {
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	for i := range len(p) {
		if p[i] == '/' {
			pre := p[i+1:]
			if pre != "" && pre[len(pre)-1] != '/' {
				pre += "/"
			}
			return p[:i], pre
		}
	}
	return p, ""
}

// CreateBucket makes the bucket if it does not exist.
func (s *S3) CreateBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil || ok {
		return err
	}
	return s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{})
}

// Put uploads key (size bytes from r). An S3 object is visible only once its upload
// completed, so a crash mid-upload leaves no object, and the caller's file stays.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	// Content-MD5 lets the store refuse a body damaged in transit; a payload signature in
	// aws-chunked encoding (minio-go's default over plain http) is not understood by every
	// S3-compatible server, so the payload is sent as is.
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream",
		DisableContentSha256: true, SendContentMd5: true})
	if err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return nil
}

// Open returns key as a reader that seeks: each read after a seek is a ranged GET.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("open %s: %w", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, 0, fmt.Errorf("%s: %w", key, ErrNotFound)
		}
		return nil, 0, fmt.Errorf("open %s: %w", key, err)
	}
	return obj, st.Size, nil
}

// Delete removes key (a missing key is no error in S3).
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
